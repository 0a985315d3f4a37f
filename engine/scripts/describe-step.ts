/**
 * A script step in a few words, as the file says it (templates unexpanded): the timeline's
 * `script: …` lines and the panel's "Paused before step 3: …" use it.
 */
import type { ExpectSpec, ScriptStep, SendPayload } from '../../shared/script';
import { shorten } from './step-notes';

/** Template text shown at most this long. */
const SHOWN_CHARS = 48;

/** Control characters written as their escapes, so `PING\r\n` reads the same from JSON and YAML. */
function quoted(text: string): string {
  let visible = '';
  for (const c of text) {
    if (visible.length > SHOWN_CHARS) break; // enough to be cut at SHOWN_CHARS
    const code = c.codePointAt(0) as number;
    visible += code < 0x20 || code === 0x7f ? JSON.stringify(c).slice(1, -1) : c;
  }
  return `"${shorten(visible, SHOWN_CHARS)}"`;
}

function payload(p: SendPayload): string {
  return typeof p === 'string' ? quoted(p) : `hex ${shorten(p.hex, SHOWN_CHARS)}`;
}

function expectation(e: ExpectSpec): string {
  if (typeof e === 'string') return `contains ${quoted(e)}`;
  if ('exact' in e) return `exactly ${quoted(e.exact)}`;
  if ('contains' in e) return `contains ${quoted(e.contains)}`;
  return `regex /${shorten(e.regex, SHOWN_CHARS)}/`;
}

export function describeStep(step: ScriptStep): string {
  if ('send' in step) return `send ${payload(step.send)}`;
  if ('expect' in step) return `expect ${expectation(step.expect)}`;
  if ('wait' in step) return `wait ${step.wait} ms`;
  if ('repeat' in step) return `repeat ${step.repeat.times} times`;
  if ('shutdown' in step) return 'shutdown (FIN)';
  if ('reset' in step) return 'reset (RST)';
  if ('starttls' in step) return 'starttls';
  return 'close';
}
