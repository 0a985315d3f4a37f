/**
 * The only URLs Sockscope ever hands to `shell.openExternal` (Electron security checklist #15):
 * a fixed allow-list of https pages written here, never anything built from what a peer sent or
 * an OS command printed. Pure, so the decision is unit-tested without Electron.
 */

interface AllowedPrefix {
  host: string;
  /** The path must equal this or continue below it with `/`. */
  path: string;
}

/** The project's own pages. Add entries here (and a test) — never accept patterns from callers. */
export const EXTERNAL_URL_ALLOW_LIST: readonly AllowedPrefix[] = [
  { host: 'github.com', path: '/sockscope/sockscope' },
];

const MAX_URL_LENGTH = 2048;

export function isAllowedExternalUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) return false;
  // WHATWG URL parsing silently drops tabs and newlines and trims spaces: refuse them outright
  // so what we check is exactly what the OS would be handed.
  for (const ch of url) {
    const c = ch.codePointAt(0) as number;
    if (c <= 0x20 || (c >= 0x7f && c <= 0x9f) || ch === '\\') return false;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username !== '' || u.password !== '' || u.port !== '') return false;
  return EXTERNAL_URL_ALLOW_LIST.some(
    (a) => u.hostname === a.host && (u.pathname === a.path || u.pathname.startsWith(`${a.path}/`)),
  );
}
