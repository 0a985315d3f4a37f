/**
 * A Node entry point (the browser-mode host, the CLI) bundled for a test as scripts/build.mjs
 * bundles it into out/ (its `node` options, without the source map), into a folder the test owns:
 * tests never run a stale out/, nor write into the one `npm run build` and the e2e tests share.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Bundles `entry` (a path from the repository's root) into `outfile`, CommonJS for Node 20. */
export async function bundleNodeEntry(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [join(REPO_ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    // As in scripts/build.mjs: optional native speed-ups of `ws`, which falls back to JS without them.
    external: ['electron', 'bufferutil', 'utf-8-validate'],
  });
}
