#!/usr/bin/env node
/**
 * Builds everything `npm start`, `npm run web` and the e2e tests need:
 *   out/renderer/  (Vite: React UI)
 *   out/main/main.cjs, out/preload/preload.cjs  (esbuild: Electron main and sandboxed preload, CommonJS)
 *   out/web/web-host.cjs  (esbuild: browser-mode host)
 *   out/cli/sockscope.cjs  (esbuild: the `sockscope` command)
 * Vite for the web side and esbuild for the Node side keep each tool doing what it does best;
 * electron-vite would wrap the same two tools with more configuration.
 */
import { build as esbuild } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out');

/**
 * `--production` (npm run dist, npm run bench): the engine skips development-only checks, such as
 * parsing every command answer with its response schema (engine/dispatcher.ts).
 */
const production = process.argv.includes('--production');

const node = {
  bundle: true,
  ...(production ? { define: { 'process.env.NODE_ENV': '"production"' } } : {}),
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // Optional native speed-ups of `ws`; it falls back to JS when they're absent.
  external: ['electron', 'bufferutil', 'utf-8-validate'],
};

await rm(out, { recursive: true, force: true });
await Promise.all([
  viteBuild({ configFile: join(root, 'vite.config.mts'), logLevel: 'warn' }),
  esbuild({ ...node, entryPoints: [join(root, 'hosts/electron/main.ts')], outfile: join(out, 'main/main.cjs') }),
  esbuild({ ...node, entryPoints: [join(root, 'hosts/electron/preload.ts')], outfile: join(out, 'preload/preload.cjs') }),
  esbuild({ ...node, entryPoints: [join(root, 'hosts/web/web-host.ts')], outfile: join(out, 'web/web-host.cjs') }),
  // The `sockscope` command (package.json bin); its shebang line is kept by esbuild.
  esbuild({ ...node, entryPoints: [join(root, 'cli/sockscope.ts')], outfile: join(out, 'cli/sockscope.cjs') }),
]);
