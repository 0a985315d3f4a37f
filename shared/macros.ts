/**
 * Macros in messages, expanded at send time: `{{counter}}`, `{{date}}`, `{{time}}`, `{{unixtime}}`,
 * `{{random}}`, `{{uuid}}`, plus caller-supplied variables (a script's captures, `{{name}}`).
 * Pure: the clock, the counter and the randomness come from the caller, so the same input gives
 * the same output in tests. An unknown or unclosed `{{…}}` is an error naming it, never sent as is.
 *
 * Text with macros is also text with escapes (shared/bytes.ts): expansion keeps every `\x` pair
 * as it is (so `\\{{counter}}` is a backslash then a macro, and `\{{` stays a literal `{{` for the
 * escape parser), and writes each value with its backslashes doubled, so a value is sent as typed
 * and can never form an escape with what follows.
 */
import { composeMessage, parseEscapedText, type LineEnding } from './bytes';

export interface MacroContext {
  /** This send's number in its conversation (1 for the first). */
  counter: number;
  /** The send time: local date and time, and the Unix time, are read from it. */
  now: Date | number;
  /** `n` random bytes (tests pass a fixed source). Defaults to crypto.getRandomValues. */
  random?: (n: number) => Uint8Array;
  /** Named values such as a script's captures; a name here wins over a built-in of the same name. */
  vars?: Readonly<Record<string, string>>;
}

export type MacroResult = { ok: true; text: string } | { ok: false; error: string; position: number };

export const BUILTIN_MACROS = ['counter', 'date', 'time', 'unixtime', 'random', 'uuid'] as const;
export type BuiltinMacro = (typeof BUILTIN_MACROS)[number];

/** What each macro gives, for help texts. */
export const MACRO_HELP: Readonly<Record<BuiltinMacro, string>> = {
  counter: "this send's number in the conversation (1, 2, 3…)",
  date: 'local date, YYYY-MM-DD',
  time: 'local time, HH:MM:SS',
  unixtime: 'seconds since 1970-01-01 UTC',
  random: 'a random number from 0 to 4294967295',
  uuid: 'a random UUID (version 4)',
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces every `{{name}}` in `text`; `{{{{` and `\{{` write a literal `{{`. Positions are 1-based. */
export function expandMacros(text: string, ctx: MacroContext): MacroResult {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\\') {
      // An escape pair is the escape parser's business; copying it whole keeps `\\{{x}}` a macro.
      out += text.slice(i, i + 2);
      i += 2;
    } else if (text.startsWith('{{{{', i)) {
      out += '\\{{';
      i += 4;
    } else if (text.startsWith('{{', i)) {
      const close = text.indexOf('}}', i + 2);
      if (close < 0) return { ok: false, error: '"{{" is not closed by "}}" (write "\\{{" for a literal "{{")', position: i + 1 };
      const name = text.slice(i + 2, close).trim();
      if (!NAME.test(name)) {
        return { ok: false, error: `"{{${text.slice(i + 2, close)}}}" is not a macro name (letters, digits and _)`, position: i + 1 };
      }
      const value = macroValue(name, ctx);
      if (value === null) {
        const vars = Object.keys(ctx.vars ?? {}).map((v) => `{{${v}}}`);
        const known = [...BUILTIN_MACROS.map((m) => `{{${m}}}`), ...vars].join(' ');
        return { ok: false, error: `unknown macro "{{${name}}}" (known: ${known})`, position: i + 1 };
      }
      out += value.replace(/\\/g, '\\\\').replace(/\{(?=\{)/g, '\\{');
      i = close + 2;
    } else {
      out += c;
      i++;
    }
  }
  return { ok: true, text: out };
}

function macroValue(name: string, ctx: MacroContext): string | null {
  if (ctx.vars && Object.hasOwn(ctx.vars, name)) return ctx.vars[name] as string;
  const now = typeof ctx.now === 'number' ? new Date(ctx.now) : ctx.now;
  const random = ctx.random ?? defaultRandom;
  switch (name) {
    case 'counter':
      return String(ctx.counter);
    case 'date':
      return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    case 'time':
      return `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
    case 'unixtime':
      return String(Math.floor(now.getTime() / 1000));
    case 'random': {
      const b = random(4);
      return String((((b[0] ?? 0) << 24) >>> 0) + ((b[1] ?? 0) << 16) + ((b[2] ?? 0) << 8) + (b[3] ?? 0));
    }
    case 'uuid':
      return uuidV4(random(16));
    default:
      return null;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

function defaultRandom(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** RFC 9562 version 4 from 16 random bytes (crypto.randomUUID needs a secure context; this does not). */
export function uuidV4(bytes: Uint8Array): string {
  const b = Uint8Array.from({ length: 16 }, (_, k) => bytes[k] ?? 0);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type TemplateResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; kind: 'hex' | 'escape' | 'macro'; error: string; position: number };

/**
 * What a Send sends: hex as bytes, or text with its escapes checked first (so an error names the
 * position the person typed, not one in the expanded text), then macros, then the line ending.
 */
export function composeTemplate(text: string, opts: { hex: boolean; lineEnding: LineEnding; macros: MacroContext }): TemplateResult {
  if (opts.hex) {
    const r = composeMessage(text, { hex: true, lineEnding: opts.lineEnding });
    return r.ok ? r : { ...r, kind: 'hex' };
  }
  const escapes = parseEscapedText(text);
  if (!escapes.ok) return { ...escapes, kind: 'escape' };
  const expanded = expandMacros(text, opts.macros);
  if (!expanded.ok) return { ...expanded, kind: 'macro' };
  const r = composeMessage(expanded.text, { hex: false, lineEnding: opts.lineEnding });
  return r.ok ? r : { ...r, kind: 'escape' };
}

const KIND_WORDS = { hex: 'Bad hex', escape: 'Bad escape', macro: 'Bad macro' } as const;

/** `Bad escape at position 4: unknown escape "\q" (…)`, as the composer and the list show it. */
export function describeTemplateError(e: { kind: keyof typeof KIND_WORDS; error: string; position: number }): string {
  return `${KIND_WORDS[e.kind]} at position ${e.position}: ${e.error}`;
}
