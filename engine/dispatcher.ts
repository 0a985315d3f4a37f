import type { z } from 'zod';
import {
  commands,
  isCommandName,
  type CommandName,
  type CommandResponse,
  type CommandResult,
  type Commands,
} from '../shared/contract';
import { CommandError } from './command-error';
import type { UiClient } from './ui-client';
import { requestIssues } from './request-issues';

/** `client`: the UI session the command came from, when it came from one that said hello. */
export type CommandHandlers = {
  [N in CommandName]: (request: z.output<Commands[N]['request']>, client?: UiClient) => Promise<CommandResponse<N>> | CommandResponse<N>;
};

export type Dispatch = (command: unknown, payload: unknown, client?: UiClient) => Promise<CommandResult>;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** No request schema nests deeper than a few levels; anything past this is refused unread. */
const MAX_DEPTH = 16;
/**
 * Object keys plus array elements in one payload. The largest real request has a few dozen; a
 * payload of 1.5 million keys once held the event loop for seconds in the schema parse.
 */
export const MAX_PAYLOAD_FIELDS = 10_000;

/**
 * Own keys that could poison a prototype once the payload is spread or merged somewhere, a payload
 * nested deeper than any schema (which would otherwise hide such a key from this check), or one with
 * more fields than any request has (the schema parse after this is then bounded too; the cost of
 * decoding a huge message is bounded before it is decoded, by each transport: see ws-session.ts).
 */
function findForbiddenKey(payload: unknown): { path: string; message: string } | null {
  let fields = 0;
  const visit = (value: unknown, path: string, depth: number): { path: string; message: string } | null => {
    if (value === null || typeof value !== 'object') return null;
    if (depth > MAX_DEPTH) return { path, message: `nested more than ${MAX_DEPTH} levels deep` };
    // An array's size is known without listing its indices (which would cost as much as parsing it).
    if (Array.isArray(value) && fields + value.length > MAX_PAYLOAD_FIELDS) {
      return { path: path || 'payload', message: `more than ${MAX_PAYLOAD_FIELDS} fields` };
    }
    for (const key of Object.keys(value)) {
      if (++fields > MAX_PAYLOAD_FIELDS) return { path: path || 'payload', message: `more than ${MAX_PAYLOAD_FIELDS} fields` };
      const at = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return { path: at, message: 'forbidden key' };
      const inner = visit((value as Record<string, unknown>)[key], at, depth + 1);
      if (inner) return inner;
    }
    return null;
  };
  return visit(payload, '', 0);
}

/**
 * Every answer is parsed with its command's response schema too, in tests and development builds,
 * so a handler that drifts from the contract fails there and not in a UI. A production build
 * (`node scripts/build.mjs --production`: npm run dist, npm run bench) skips it: parsing a large
 * snapshot is main-thread time.
 */
const CHECK_RESPONSES = process.env.NODE_ENV !== 'production';

/**
 * The single entry for every command from every transport: name check → forbidden keys →
 * strict schema parse (limits live in the schemas) → handler. Always resolves to an envelope.
 */
export function createDispatcher(handlers: CommandHandlers, log: (msg: string, err: unknown) => void = console.error): Dispatch {
  return async (command, payload, client) => {
    if (!isCommandName(command)) {
      // Never String(command): an object whose toString is not a function would throw here.
      const name = typeof command === 'string' ? JSON.stringify(command.slice(0, 80)) : `(a ${command === null ? 'null' : typeof command})`;
      return { ok: false, error: { code: 'UNKNOWN_COMMAND', message: `unknown command ${name}` } };
    }
    const forbidden = findForbiddenKey(payload);
    if (forbidden) {
      const message = forbidden.message === 'forbidden key' ? `forbidden key "${forbidden.path}"` : `${forbidden.path}: ${forbidden.message}`;
      return { ok: false, error: { code: 'VALIDATION', message, issues: [forbidden] } };
    }
    const parsed = commands[command].request.safeParse(payload ?? {});
    if (!parsed.success) {
      const issues = requestIssues(parsed.error);
      const first = issues[0];
      return {
        ok: false,
        error: {
          code: 'VALIDATION',
          message: first ? `${first.path || 'payload'}: ${first.message}` : 'invalid payload',
          issues,
        },
      };
    }
    try {
      const handler = handlers[command] as (req: unknown, client?: UiClient) => unknown;
      const value = await handler(parsed.data, client);
      if (CHECK_RESPONSES) {
        const answer = commands[command].response.safeParse(value);
        if (!answer.success) {
          const first = requestIssues(answer.error, 1)[0];
          const message = `the answer to ${command} does not match the contract (${first ? `${first.path || 'answer'}: ${first.message}` : 'invalid'})`;
          log(message, answer.error);
          return { ok: false, error: { code: 'INTERNAL', message } };
        }
      }
      return { ok: true, value };
    } catch (err) {
      if (err instanceof CommandError) return { ok: false, error: err.toBridgeError() };
      log(`command ${command} failed`, err);
      return { ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : 'unexpected failure' } };
    }
  };
}
