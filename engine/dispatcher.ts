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

export type CommandHandlers = {
  [N in CommandName]: (request: z.output<Commands[N]['request']>) => Promise<CommandResponse<N>> | CommandResponse<N>;
};

export type Dispatch = (command: unknown, payload: unknown) => Promise<CommandResult>;

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
 * The single entry for every command from every transport: name check → forbidden keys →
 * strict schema parse (limits live in the schemas) → handler. Always resolves to an envelope.
 */
export function createDispatcher(handlers: CommandHandlers, log: (msg: string, err: unknown) => void = console.error): Dispatch {
  return async (command, payload) => {
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
      const issues = parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
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
      const handler = handlers[command] as (req: unknown) => unknown;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (err) {
      if (err instanceof CommandError) return { ok: false, error: err.toBridgeError() };
      log(`command ${command} failed`, err);
      return { ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : 'unexpected failure' } };
    }
  };
}
