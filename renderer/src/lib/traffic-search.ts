/**
 * `Search traffic`: a text (case-insensitive) or a regular expression, matched against each row's
 * text as shown. Pure; the log highlights the matches and steps through them.
 */

export interface SearchMatch {
  /** Index of the row in the list searched. */
  row: number;
  start: number;
  end: number;
}

export type CompiledSearch = { ok: true; re: RegExp | null } | { ok: false; error: string };

/** More than this many matches are not collected: the count says "10000+". */
export const MAX_MATCHES = 10_000;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An empty query matches nothing (re: null); a bad regex is an error to show, never a throw. */
export function compileSearch(query: string, regex: boolean): CompiledSearch {
  if (query === '') return { ok: true, re: null };
  try {
    return { ok: true, re: new RegExp(regex ? query : escapeRegExp(query), 'gi') };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err) };
  }
}

/** Every non-empty match in `texts`, in order, at most MAX_MATCHES. */
export function findMatches(texts: readonly string[], re: RegExp | null): SearchMatch[] {
  const out: SearchMatch[] = [];
  if (!re) return out;
  for (let row = 0; row < texts.length; row++) {
    const text = texts[row] as string;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        // An empty match (e.g. /x*/) would never advance: step over it and do not count it.
        re.lastIndex++;
        if (re.lastIndex > text.length) break;
        continue;
      }
      out.push({ row, start: m.index, end: m.index + m[0].length });
      if (out.length >= MAX_MATCHES) return out;
    }
  }
  return out;
}

/** `1 match`, `N matches`, `10000+ matches`. */
export function matchCountText(n: number): string {
  if (n >= MAX_MATCHES) return `${MAX_MATCHES}+ matches`;
  return n === 1 ? '1 match' : `${n} matches`;
}

/** The next (or previous) match index, wrapping around; -1 when there are none. */
export function stepMatch(current: number, count: number, by: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return by === 1 ? 0 : count - 1;
  return (current + by + count) % count;
}
