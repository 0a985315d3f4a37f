/**
 * The renderer's Content-Security-Policy, the same for the app:// protocol and browser mode:
 * `default-src 'none'; script-src 'self'; style-src 'self'` plus only what the UI truly needs —
 * `img-src 'self'` (the app icon), `font-src 'self'` (the bundled Control Pictures font) and, in browser mode, `connect-src` for its own WebSocket — and
 * three directives that `default-src` does not cover (base-uri, form-action, frame-ancestors), all
 * set to 'none'. No inline script or style, no eval, no data: URLs, no remote origins.
 *
 * `connectSrc` lists the browser-mode WebSocket URLs; null under Electron, where the renderer
 * connects to nothing (its engine is reached through the preload).
 */
export function contentSecurityPolicy(connectSrc: string | null): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    ...(connectSrc ? [`connect-src ${connectSrc}`] : []),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The same policy as a `<meta>` in renderer/index.html, a second line of defence should the page
 * ever be served without the header. A meta policy cannot carry frame-ancestors, and its
 * connect-src is `'self'` (which covers ws:// to the page's own host and port); the header's
 * exact list still applies, since both policies must allow a request.
 */
export const META_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
