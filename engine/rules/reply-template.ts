/**
 * A rule's reply: text with the composer's escapes and macros (shared/bytes.ts, shared/macros.ts),
 * plus capture references `$0`…`$9`, `${n}` and `$<name>` (`$$` is a dollar sign). Checked once
 * when the rule is compiled, so a typo is refused with its position instead of failing per frame.
 *
 * Captured text is what the peer sent: it is spliced in through `toEscapedText`, so its bytes go
 * back exactly as received and can never form an escape or a macro with the template around it.
 */
import { toEscapedText } from '../../shared/bytes';
import { composeTemplate, describeTemplateError, type MacroContext } from '../../shared/macros';
import { RULE_LIMITS } from '../../shared/rules';

type Segment = { text: string } | { group: number | string };

export interface ReplyTemplate {
  readonly segments: readonly Segment[];
  /** No capture and no macro: the bytes are the same every time. */
  readonly fixed: Uint8Array | null;
}

export type TemplateError = { error: string };

/** Which captures a template may name: `groups` numbered ones (0 = the whole match), and `names`. */
export interface CaptureNames {
  groups: number;
  names: ReadonlySet<string>;
}

export function compileReplyTemplate(text: string, captures: CaptureNames): ReplyTemplate | TemplateError {
  const segments: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\\') {
      // An escape pair belongs to the escape parser: `\$` is not a capture (and not an escape either).
      literal += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c !== '$') {
      literal += c;
      i++;
      continue;
    }
    const ref = readReference(text, i);
    if ('error' in ref) return { error: `${ref.error} at position ${i + 1}` };
    if (ref.dollar) {
      literal += '$';
    } else {
      const known = typeof ref.group === 'number' ? ref.group <= captures.groups : captures.names.has(ref.group);
      if (!known) {
        const what = typeof ref.group === 'number' ? `$${ref.group}` : `$<${ref.group}>`;
        const have = captures.groups === 0 ? 'only $0 (the whole frame) here' : `$0…$${captures.groups}${[...captures.names].map((n) => ` $<${n}>`).join('')}`;
        return { error: `${what} at position ${i + 1} names no capture (there is ${have})` };
      }
      if (literal) segments.push({ text: literal });
      literal = '';
      segments.push({ group: ref.group });
    }
    i += ref.length;
  }
  if (literal) segments.push({ text: literal });
  // Check escapes and macros now, with placeholder captures, so the error names the person's text.
  const trial = composeTemplate(joinSegments(segments, () => ''), { hex: false, lineEnding: 'none', macros: { counter: 1, now: 0 } });
  if (!trial.ok) return { error: describeTemplateError(trial) };
  const hasMacro = segments.some((s) => 'text' in s && s.text.includes('{{'));
  const hasGroup = segments.some((s) => 'group' in s);
  return { segments, fixed: hasMacro || hasGroup ? null : trial.bytes };
}

export type Captures = (group: number | string) => Uint8Array;

/** The reply's bytes for one match, or why it is not sent. */
export function expandReply(t: ReplyTemplate, captures: Captures, macros: MacroContext): { bytes: Uint8Array } | TemplateError {
  if (t.fixed) return { bytes: t.fixed };
  let capturedBytes = 0;
  const text = joinSegments(t.segments, (g) => {
    const bytes = captures(g);
    capturedBytes += bytes.length;
    return capturedBytes > RULE_LIMITS.replyBytes ? '' : literalText(bytes);
  });
  if (capturedBytes > RULE_LIMITS.replyBytes) return { error: `the reply would be over ${RULE_LIMITS.replyBytes} bytes` };
  const r = composeTemplate(text, { hex: false, lineEnding: 'none', macros });
  if (!r.ok) return { error: describeTemplateError(r) };
  if (r.bytes.length > RULE_LIMITS.replyBytes) return { error: `the reply would be ${r.bytes.length} bytes (at most ${RULE_LIMITS.replyBytes})` };
  return { bytes: r.bytes };
}

/**
 * Captured bytes as escaped text in which every brace is escaped too (not only a `{{` inside the
 * capture): a capture starting with `{` right after a template's `{` must not open a macro. The
 * braces of `\u{…}` (how toEscapedText spells C1 controls) are left alone.
 */
function literalText(bytes: Uint8Array): string {
  return toEscapedText(bytes, { macros: false }).replace(/(?<!\\u)\{/g, '\\{');
}

function joinSegments(segments: readonly Segment[], capture: (g: number | string) => string): string {
  return segments.map((s) => ('text' in s ? s.text : capture(s.group))).join('');
}

type Reference = { dollar: true; length: 2 } | { dollar: false; group: number | string; length: number } | { error: string };

function readReference(text: string, i: number): Reference {
  const next = text[i + 1];
  if (next === '$') return { dollar: true, length: 2 };
  if (next !== undefined && next >= '0' && next <= '9') return { dollar: false, group: Number(next), length: 2 };
  if (next === '{') {
    const m = /^\$\{(\d{1,3})\}/.exec(text.slice(i, i + 6));
    if (!m) return { error: '"${" needs a group number and "}", e.g. "${12}"' };
    return { dollar: false, group: Number(m[1]), length: m[0].length };
  }
  if (next === '<') {
    const m = /^\$<([A-Za-z_][A-Za-z0-9_]{0,63})>/.exec(text.slice(i, i + 68));
    if (!m) return { error: '"$<" needs a capture name and ">", e.g. "$<user>"' };
    return { dollar: false, group: m[1] as string, length: m[0].length };
  }
  return { error: 'a lone "$": write "$$" for a dollar sign, "$1" or "$<name>" for a capture' };
}
