import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { parseRequestTarget } from './request-target';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The target's path with its `%` escapes decoded; null for a malformed target, escape or a NUL byte. */
function decodedPath(target: string | undefined): string | null {
  const parsed = parseRequestTarget(target);
  if (!parsed) return null;
  try {
    const path = decodeURIComponent(parsed.path);
    return path.includes('\0') ? null : path;
  } catch {
    return null;
  }
}

/**
 * An error answer also ends the connection: our own UI never asks for what is not there, so the
 * client is a prober, whose idle keep-alive socket would only hold a descriptor.
 */
function refuse(res: ServerResponse, status: 400 | 403 | 404 | 405): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', Connection: 'close' }).end(status === 404 ? 'not found' : '');
}

/** Serves the built renderer; nothing outside its folder, no directory listings. */
export function serveStatic(root: string, csp: string) {
  const base = resolve(root);
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(res, 405);
      return;
    }
    const pathname = decodedPath(req.url);
    if (pathname === null) {
      refuse(res, 400);
      return;
    }
    const file = resolve(base, `.${pathname === '/' ? '/index.html' : pathname}`);
    if (!file.startsWith(base + sep)) {
      refuse(res, 403);
      return;
    }
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      refuse(res, 404);
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // pipeline, not pipe: a client that goes away mid-file must also close the file, or every
    // aborted download of a large asset would keep a descriptor open for good.
    pipeline(createReadStream(file), res, () => {});
  };
}
