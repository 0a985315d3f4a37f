/** Shared by the session tests: engines on a real data folder, typed commands, cleanup. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';
import { TestHost } from './test-host';

const cleanups: (() => unknown)[] = [];
/** What the engine logged with console.warn during the current test (the notices, once each). */
export const warnings: string[] = [];

beforeEach(() => {
  warnings.length = 0;
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

/** Runs `fn` after the current test (closing a peer, removing a folder). */
export function afterThisTest(fn: () => unknown): void {
  cleanups.push(fn);
}

export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-session-'));
  afterThisTest(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An engine host on `dataDir`, as `npm run web -- --data-dir DIR` makes it, restored; disposed after the test. */
export async function startHost(dataDir: string | null): Promise<TestHost> {
  const host = new TestHost({ dataDir });
  afterThisTest(() => host.dispose());
  await host.restored;
  return host;
}
