/**
 * An expect's regular expression, on RE2 (re2js, as the listener rules use): matching time is
 * linear in the input, so a pattern from a file can never hold the engine's event loop (the
 * classic `^(a+)+b$` against a long line). RE2 has no lookaround or backreferences; a pattern
 * that uses them is refused with a message that says why. It matches the received bytes as they
 * are (offsets are byte offsets), reading them as UTF-8.
 */
import { RE2JS } from 're2js';

export type CompiledRegex = { ok: true; regex: RE2JS } | { ok: false; error: string };

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

/** `flags` among `i`, `m` and `s`. */
export function compileScriptRegex(source: string, flags = ''): CompiledRegex {
  let bits = 0;
  for (const f of flags) bits |= FLAG_BITS[f] ?? 0;
  try {
    return { ok: true, regex: RE2JS.compile(source, bits) };
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    const hint = /\(\?[=!<][^PA-Za-z]|\(\?<[=!]|\\[1-9]/.test(source)
      ? ' (RE2 has no lookaround or backreferences: they are what can make a pattern take exponential time)'
      : '';
    return { ok: false, error: `not a valid RE2 regular expression: ${why}${hint}` };
  }
}
