/**
 * An HTTP request target, split without the WHATWG URL parser: `new URL('//[', base)` throws and
 * `new URL('//evil/ws', base)` reads an authority out of a path. Browsers send only origin-form
 * targets (`/path?query`) to a server that is not a proxy, so anything else is refused (null).
 * Never throws: URLSearchParams keeps malformed `%` escapes as they are.
 */
export function parseRequestTarget(target: string | undefined): { path: string; query: URLSearchParams } | null {
  if (target === undefined || !target.startsWith('/')) return null;
  const q = target.indexOf('?');
  if (q < 0) return { path: target, query: new URLSearchParams() };
  return { path: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
}

/** A request target fit for a log line: the token redacted, control and bidi characters escaped, cut short. */
export function targetForLog(target: string | undefined): string {
  const redacted = (target ?? '').slice(0, 200).replace(/token=[^&]*/gi, 'token=<redacted>');
  return JSON.stringify(redacted).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
