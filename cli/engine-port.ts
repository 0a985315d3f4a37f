/**
 * The CLI's one way into the engine: an engine host in this process, reached through the same
 * session protocol as the GUI (the in-process port), so the CLI drives exactly what the app does.
 * Every command goes through `invoke`; events arrive as checked EngineEvents.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CommandResult, EventBatch, type CommandName, type CommandRequest, type CommandResponse, type EngineEvent } from '../shared/contract';
import type { SessionClient } from '../shared/session-client';
import { createEngineHost, type StartedEngineHost } from '../engine/index';
import { attachInProcess } from '../engine/ui-session/in-process-port';

/** A refusal from the engine, with its code (`VALIDATION`, `INVALID_STATE`…) for the exit status. */
export class EngineRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CliEngine {
  /** Runs one command; a refusal is thrown as EngineRefusal. */
  call<N extends CommandName>(command: N, payload: CommandRequest<N>): Promise<CommandResponse<N>>;
  /** Every event from now on (subscribes on first use). */
  onEvent(listener: (e: EngineEvent) => void): Promise<void>;
  /** Closes every socket (and the session). Safe to call more than once. */
  shutdown(): Promise<void>;
}

/** The package's version, from the nearest package.json above this file or the built bundle. */
function packageVersion(): string {
  let dir = dirname(process.argv[1] ?? process.cwd());
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'sockscope' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // not ours: keep looking
      }
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export function openCliEngine(): CliEngine {
  // No data folder: the CLI's endpoints are this run's only, never the app's saved session.
  const host: StartedEngineHost = createEngineHost({ mode: 'browser', version: packageVersion(), dataDir: null });
  const client: SessionClient = attachInProcess(host);
  const listeners = new Set<(e: EngineEvent) => void>();
  let attached: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;

  return {
    async call(command, payload) {
      const raw = await client.invoke(command, payload);
      const r = CommandResult.parse(raw);
      if (!r.ok) throw new EngineRefusal(r.error.code, r.error.message);
      return r.value as CommandResponse<typeof command>;
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!attached) {
        client.onBatch((raw) => {
          const batch = EventBatch.safeParse(raw);
          if (!batch.success) return;
          for (const e of batch.data.events) for (const l of listeners) l(e);
        });
        attached = client.attach().then(() => undefined);
      }
      return attached;
    },
    shutdown() {
      stopping ??= host.engine.shutdown().finally(() => client.close());
      return stopping;
    },
  };
}
