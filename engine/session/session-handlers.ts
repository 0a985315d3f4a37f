import { parseSessionText, type SessionParseResult } from '../../shared/session';
import { invalidState } from '../command-error';
import type { CommandHandlers } from '../dispatcher';
import type { Engine } from '../engine';
import { TcpListener } from '../tcp/listener';
import { UdpEndpoint } from '../udp/udp-endpoint';
import { endpointProblem } from './endpoint-checks';
import { applyUdpSettings, restorePlan } from './restore';
import { importRefused } from './session-store';

type SessionCommands =
  | 'saved-messages:save'
  | 'saved-messages:remove'
  | 'saved-messages:reorder'
  | 'ui:save'
  | 'session:configure'
  | 'session:dismiss-notice'
  | 'session:export'
  | 'session:import'
  | 'endpoint:retry';

const ok = { ok: true as const };

/**
 * Saved messages, UI state, export/import and `Retry`. `all` is every handler (restoring an
 * endpoint goes through the same handler as the command that made it).
 */
export function sessionHandlers(engine: Engine, all: () => CommandHandlers): Pick<CommandHandlers, SessionCommands> {
  const session = engine.session;
  let importing = false;

  return {
    'saved-messages:save': (m) => ({ id: session.saveMessage(m) }),
    'saved-messages:remove': ({ id }) => {
      session.removeMessage(id);
      return ok;
    },
    'saved-messages:reorder': ({ ids }) => {
      session.reorderMessages(ids);
      return ok;
    },
    'ui:save': (patch) => {
      session.saveUi(patch);
      return ok;
    },
    'session:configure': (options) => {
      session.configure(options);
      return ok;
    },
    'session:dismiss-notice': () => {
      session.dismissNotice();
      return ok;
    },
    'session:export': () => ({ json: session.exportText() }),

    'session:import': async ({ json }) => {
      // Everything is checked before anything changes: a refused file leaves the session as it was.
      const parsed = parseSessionText(json);
      if (!parsed.ok) throw importRefused(refusal(parsed), parsed.issues);
      const problem = endpointProblem(parsed.session);
      if (problem) throw importRefused(`${problem.path}: ${problem.message}`, [problem]);
      // A file from elsewhere never brings a program to run: exec listeners come only from this
      // person's own session (or are created again with Run a command).
      const execAt = parsed.session.endpoints.findIndex((e) => e.kind === 'tcp-listener' && e.exec !== undefined);
      if (execAt >= 0) {
        const refusedExec = { path: `endpoints.${execAt}.exec`, message: 'an imported session cannot hold an exec listener (it would run a program); create it again with Run a command' };
        throw importRefused(`${refusedExec.path}: ${refusedExec.message}`, [refusedExec]);
      }
      if (engine.isShuttingDown) throw invalidState('the engine is shutting down');
      if (importing) throw invalidState('a session import is already running');
      importing = true;
      try {
        // The file replaces the session: every endpoint (and its workspace) goes, the file's come back.
        for (const e of engine.listEndpoints()) await engine.removeEndpoint(e.id);
        const plan = session.replace(parsed.session);
        const endpoints = await restorePlan(engine, all(), plan);
        session.changed();
        return { endpoints, savedMessages: session.savedMessages().length, ui: session.uiState() };
      } finally {
        importing = false;
      }
    },

    'endpoint:retry': async ({ endpointId }) => {
      const e = engine.requireEndpoint(endpointId);
      if (e instanceof TcpListener) {
        await e.retry();
      } else if (e instanceof UdpEndpoint) {
        await e.retry();
        const entry = session.entry(endpointId);
        if (entry?.kind === 'udp') await applyUdpSettings(engine, all(), endpointId, entry);
      } else {
        throw invalidState(`endpoint ${endpointId} is a connection: it reconnects (tcp:reconnect) instead`);
      }
      return { endpointId };
    },
  };
}

function refusal(r: Extract<SessionParseResult, { ok: false }>): string {
  return r.problem === 'future-version' ? `${r.message}: update Sockscope to import it` : r.message;
}
