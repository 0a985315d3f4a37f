/**
 * The renderer's Content-Security-Policy, the same for the app:// protocol and browser mode:
 * only our own scripts and styles, no eval, no remote origins. `connectSrc` adds the browser-mode
 * WebSocket endpoint (null under Electron, where the renderer connects to nothing).
 */
export function contentSecurityPolicy(connectSrc: string | null): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connectSrc ? `'self' ${connectSrc}` : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
