/** Shared by the session tests: engines on a real data folder, typed commands, cleanup. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';
import type { CommandName, CommandRequest, CommandResponse, EngineSnapshot } from '../../shared/contract';
import type { EndpointSnapshot } from '../../shared/endpoints';
import type { BridgeError } from '../../shared/errors';
import { createEngineHost, type StartedEngineHost } from '../index';

export interface SessionTestHost extends StartedEngineHost {
  call<N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<CommandResponse<N>>;
  fail<N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<BridgeError>;
  snapshot(): Promise<EngineSnapshot>;
  endpoint(id: string): EndpointSnapshot;
  /** Saves the session and closes every socket, as quitting does. */
  stop(): Promise<void>;
}

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

/** An engine host on `dataDir`, as `npm run web -- --data-dir DIR` makes it, restored. */
export async function startHost(dataDir: string | null): Promise<SessionTestHost> {
  const host = createEngineHost({ mode: 'browser', version: 'test', dataDir });
  afterThisTest(() => host.engine.shutdown());
  await host.restored;
  const call = async <N extends CommandName>(name: N, payload: CommandRequest<N>): Promise<CommandResponse<N>> => {
    const r = await host.dispatch(name, payload);
    if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message}`);
    return r.value as CommandResponse<N>;
  };
  return {
    ...host,
    call,
    async fail(name, payload) {
      const r = await host.dispatch(name, payload);
      if (r.ok) throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(r.value)}`);
      return r.error;
    },
    snapshot: () => call('app:snapshot', {}),
    endpoint: (id) => host.engine.requireEndpoint(id).snapshot(),
    stop: () => host.engine.shutdown(),
  };
}
