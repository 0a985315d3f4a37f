/**
 * A generator's payload as a function of the message number. Macros are expanded for every message
 * (`{{counter}}` counts them), but a full composeTemplate per message cost more than the send
 * itself: the text is split once into fixed bytes and macro names, and only the macros are
 * evaluated per message. The split is checked against composeTemplate on the first messages and
 * dropped for the slow path if it ever differs (escapes next to a macro, `{{{{`…).
 */
import { randomFillSync } from 'node:crypto';
import { parseEscapedText } from '../../shared/bytes';
import { GENERATOR_LIMITS, type GeneratorPayload } from '../../shared/generator';
import { composeTemplate, describeTemplateError, expandMacros } from '../../shared/macros';

export type Payload = (counter: number) => Uint8Array;

const MACRO = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Throws (with the template error in words) when the payload cannot be composed. */
export function compilePayload(p: GeneratorPayload, now: () => number): Payload {
  if ('random' in p) return () => randomFillSync(Buffer.allocUnsafe(p.random));
  const slow = (counter: number) => {
    const r = composeTemplate(p.text, { hex: p.hex ?? false, lineEnding: 'none', macros: { counter, now: now() } });
    if (!r.ok) throw new Error(describeTemplateError(r));
    if (r.bytes.length === 0) throw new Error('the message is empty');
    if (r.bytes.length > GENERATOR_LIMITS.messageBytes) throw new Error(`a generated message is at most ${GENERATOR_LIMITS.messageBytes} bytes`);
    return r.bytes;
  };
  const first = slow(1);
  // Without macros every message is the same bytes: compose once.
  if (p.hex || !p.text.includes('{{')) return () => first;
  const fast = splitTemplate(p.text, now);
  if (!fast) return slow;
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  // Macros whose value changes between two calls (random, uuid) cannot be compared: counter and
  // the clock only, which is what the check needs to trust the split.
  if (!/\{\{\s*(random|uuid)\s*\}\}/.test(p.text) && (!same(fast(1), first) || !same(fast(2), slow(2)))) return slow;
  return fast;
}

/** Fixed bytes and macro names, or null when a fixed part does not parse on its own. */
function splitTemplate(text: string, now: () => number): Payload | null {
  const parts: (Uint8Array | string)[] = [];
  let last = 0;
  for (const m of text.matchAll(MACRO)) {
    const fixed = parseEscapedText(text.slice(last, m.index));
    if (!fixed.ok) return null;
    parts.push(fixed.bytes, m[1] as string);
    last = m.index + m[0].length;
  }
  const tail = parseEscapedText(text.slice(last));
  if (!tail.ok) return null;
  parts.push(tail.bytes);
  const encoder = new TextEncoder();
  return (counter) => {
    const chunks = parts.map((part) => {
      if (typeof part !== 'string') return part;
      if (part === 'counter') return encoder.encode(String(counter));
      const r = expandMacros(`{{${part}}}`, { counter, now: now() });
      if (!r.ok) throw new Error(r.error);
      const bytes = parseEscapedText(r.text);
      if (!bytes.ok) throw new Error(bytes.error);
      return bytes.bytes;
    });
    return Buffer.concat(chunks);
  };
}
