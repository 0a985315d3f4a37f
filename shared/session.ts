/**
 * The session file: everything a person set up (endpoints with their settings, saved messages,
 * recent hosts, UI state, the desktop window's place), as one versioned JSON document. The engine
 * keeps it in the data folder (`session.json`), `Export session` hands out the same text, and
 * `Import session` reads it back through `parseSessionText` — one schema for all three, strict and
 * bounded, so a file from someone else is as safe to load as a command from the UI.
 * docs/sessions.md describes the format for people.
 */
import { z } from 'zod';
import {
  commands,
  InetConnectRequest,
  InetListenRequest,
  UdpBindRequest,
  UnixConnectRequest,
  UnixListenRequest,
} from './contract';
import { Host, Id, PortSpec } from './primitives';
import { SavedMessages } from './saved-messages';
import { defaultSessionUi, emptyRecentHosts, RecentHostLists, SESSION_FILE_BYTES, SessionUi } from './session-state';

export const SESSION_FORMAT = 'sockscope-session';
/** The version this build writes. Older versions are migrated (MIGRATIONS); newer ones are refused. */
export const SESSION_VERSION = 1;

export const SESSION_LIMITS = {
  fileBytes: SESSION_FILE_BYTES,
  endpoints: 1_000,
  memberships: 32,
  /** Object keys plus array elements, and nesting, checked before the schema parse runs. */
  jsonFields: 250_000,
  jsonDepth: 32,
} as const;

/**
 * The id the endpoint had when the session was saved (`l1`, `c3`). A restored endpoint gets a fresh
 * id; this one only carries the UI state that named it (selection, tabs) over to the new one.
 */
const SavedEndpointId = Id.optional();

const either = (message: string, path: string) => ({ message, path: [path] });

/**
 * A saved endpoint is the request it was opened with, plus its kind and saved id. The file keeps it
 * as one flat object (as it always did) with the request union's rule as refinements, so a file
 * that breaks it says which field is wrong.
 */
export const SessionListener = InetListenRequest.extend({
  path: UnixListenRequest.shape.path.optional(),
  kind: z.literal('tcp-listener'),
  id: SavedEndpointId,
})
  .refine((l) => l.path === undefined || (l.bindAddress === undefined && l.port === undefined), either('give either a path or an address and port, not both', 'path'))
  .refine((l) => l.path === undefined || !l.ipv6Only, either('only applies to an IPv6 address', 'ipv6Only'));
export type SessionListener = z.infer<typeof SessionListener>;

export const SessionConnection = InetConnectRequest.partial({ host: true, port: true })
  .extend({
    path: UnixConnectRequest.shape.path.optional(),
    kind: z.literal('tcp-connection'),
    id: SavedEndpointId,
  })
  .refine(
    (c) => c.path === undefined || (c.host === undefined && c.port === undefined && c.localAddress === undefined && c.localPort === undefined),
    either('give either a path or a host and port, not both', 'path'),
  )
  .refine((c) => c.path !== undefined || c.host !== undefined, either('a host is required', 'host'))
  .refine((c) => c.path !== undefined || c.port !== undefined, either('a port is required', 'port'));
export type SessionConnection = z.infer<typeof SessionConnection>;

const udpOption = commands['udp:configure'].request.shape;

export const SessionMembership = z.strictObject({ group: Host, iface: Host.nullable().default(null) });

export const SessionUdp = UdpBindRequest.extend({
  kind: z.literal('udp'),
  id: SavedEndpointId,
  // Socket options a person set after binding (udp:configure, udp:membership, udp:connect).
  broadcast: udpOption.broadcast,
  ttl: udpOption.ttl,
  multicastTtl: udpOption.multicastTtl,
  multicastLoopback: udpOption.multicastLoopback,
  memberships: z.array(SessionMembership).max(SESSION_LIMITS.memberships).optional(),
  connectedTo: z.strictObject({ host: Host, port: PortSpec }).optional(),
});
export type SessionUdp = z.infer<typeof SessionUdp>;

export const SessionEndpoint = z.discriminatedUnion('kind', [SessionListener, SessionConnection, SessionUdp]);
export type SessionEndpoint = z.infer<typeof SessionEndpoint>;

/** The desktop window's place and size (Electron only; browser mode leaves it null). */
export const WindowBounds = z.strictObject({
  x: z.number().int().min(-100_000).max(100_000),
  y: z.number().int().min(-100_000).max(100_000),
  width: z.number().int().min(200).max(100_000),
  height: z.number().int().min(200).max(100_000),
  maximized: z.boolean().default(false),
});
export type WindowBounds = z.infer<typeof WindowBounds>;

export const SessionOptions = z.strictObject({
  /** Off by default: connections come back closed with a `Reconnect` button. */
  reconnectOnStart: z.boolean().default(false),
});
export type SessionOptions = z.infer<typeof SessionOptions>;

export const SessionFile = z
  .strictObject({
    format: z.literal(SESSION_FORMAT),
    version: z.literal(SESSION_VERSION),
    options: SessionOptions.default({ reconnectOnStart: false }),
    /** In creation order; restored in that order. */
    endpoints: z.array(SessionEndpoint).max(SESSION_LIMITS.endpoints).default([]),
    savedMessages: SavedMessages.default([]),
    recentHosts: RecentHostLists.default(emptyRecentHosts),
    ui: SessionUi.default(defaultSessionUi),
    window: WindowBounds.nullable().default(null),
  })
  .superRefine((s, ctx) => {
    duplicates(s.savedMessages.map((m) => m.id)).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['savedMessages', i, 'id'], message: 'another saved message has this id' }),
    );
    duplicates(s.endpoints.map((e) => e.id)).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'id'], message: 'another endpoint has this id' }),
    );
  });
export type SessionFile = z.infer<typeof SessionFile>;

/** Indices of values seen before (undefined ids are not compared). */
function duplicates(ids: (string | undefined)[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  ids.forEach((id, i) => {
    if (id === undefined) return;
    if (seen.has(id)) out.push(i);
    seen.add(id);
  });
  return out;
}

export const emptySession = (): SessionFile => SessionFile.parse({ format: SESSION_FORMAT, version: SESSION_VERSION });

/**
 * Upgrades a file of version N to N+1, for each N below SESSION_VERSION. Version 1 is the first:
 * when version 2 changes the format (e.g. listener rules), it adds `1: (v1) => v2` here, and a test.
 */
export type Migration = (older: Record<string, unknown>) => Record<string, unknown>;
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

/** Runs the migrations from `version` up to `target`; null when a step is missing. */
export function migrateSession(
  raw: Record<string, unknown>,
  version: number,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
  target: number = SESSION_VERSION,
): Record<string, unknown> | null {
  let doc = raw;
  for (let v = version; v < target; v++) {
    const step = migrations[v];
    if (!step) return null;
    doc = { ...step(doc), version: v + 1 };
  }
  return doc;
}

export type SessionProblem =
  /** Not JSON at all, or nested/sized beyond any session. */
  | 'not-json'
  /** JSON, but not a Sockscope session (no `"format": "sockscope-session"`). */
  | 'wrong-format'
  /** A session written by a newer Sockscope. */
  | 'future-version'
  /** A session of a version this build reads, with fields the schema refuses. */
  | 'invalid';

export type SessionParseResult =
  | { ok: true; session: SessionFile }
  | { ok: false; problem: SessionProblem; message: string; issues: { path: string; message: string }[] };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function refuse(problem: SessionProblem, message: string, issues: { path: string; message: string }[] = []): SessionParseResult {
  return { ok: false, problem, message, issues };
}

/**
 * Parses and validates a session file's text: JSON → a bounded shape check (depth, field count,
 * prototype keys) → format and version → migrations → the strict schema. Never throws.
 */
export function parseSessionText(
  text: string,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
  current: number = SESSION_VERSION,
): SessionParseResult {
  if (text.length > SESSION_LIMITS.fileBytes) {
    return refuse('not-json', `larger than ${SESSION_LIMITS.fileBytes / (1024 * 1024)} MiB`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return refuse('not-json', `not valid JSON (${err instanceof Error ? err.message : 'parse error'})`);
  }
  const shape = checkShape(raw);
  if (shape) return refuse('not-json', `${shape.path || 'the file'}: ${shape.message}`, [shape]);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || (raw as Record<string, unknown>).format !== SESSION_FORMAT) {
    return refuse('wrong-format', `not a Sockscope session file (it has no "format": "${SESSION_FORMAT}")`, [
      { path: 'format', message: `expected "${SESSION_FORMAT}"` },
    ]);
  }
  const doc = raw as Record<string, unknown>;
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return refuse('invalid', 'version: a session file has a whole-number version', [{ path: 'version', message: 'expected a whole number' }]);
  }
  if (version > current) {
    return refuse('future-version', `written by a newer Sockscope (session version ${version}; this one reads up to ${current})`, [
      { path: 'version', message: `at most ${current}` },
    ]);
  }
  const migrated = migrateSession(doc, version, migrations, current);
  if (!migrated) return refuse('invalid', `version: no migration from session version ${version}`, [{ path: 'version', message: 'unsupported' }]);
  const parsed = SessionFile.safeParse(migrated);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    const first = issues[0];
    return refuse('invalid', first ? `${first.path || 'the file'}: ${first.message}` : 'invalid session', issues);
  }
  return { ok: true, session: parsed.data };
}

/**
 * Depth, size and prototype keys, before the schema sees the value: a file of a million nested
 * arrays or keys must not cost the schema parse, and `__proto__` as an own key must never reach a
 * record that is copied or spread.
 */
function checkShape(value: unknown): { path: string; message: string } | null {
  let fields = 0;
  const visit = (v: unknown, path: string, depth: number): { path: string; message: string } | null => {
    if (v === null || typeof v !== 'object') return null;
    if (depth > SESSION_LIMITS.jsonDepth) return { path, message: `nested more than ${SESSION_LIMITS.jsonDepth} levels deep` };
    const tooMany = { path: path || 'the file', message: `more than ${SESSION_LIMITS.jsonFields.toLocaleString('en-US')} fields` };
    if (Array.isArray(v)) {
      fields += v.length;
      if (fields > SESSION_LIMITS.jsonFields) return tooMany;
      for (let i = 0; i < v.length; i++) {
        const inner = visit(v[i], path ? `${path}.${i}` : String(i), depth + 1);
        if (inner) return inner;
      }
      return null;
    }
    for (const key of Object.keys(v)) {
      if (++fields > SESSION_LIMITS.jsonFields) return tooMany;
      const at = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return { path: at, message: 'forbidden key' };
      const inner = visit((v as Record<string, unknown>)[key], at, depth + 1);
      if (inner) return inner;
    }
    return null;
  };
  return visit(value, '', 0);
}

/** The file's text: two-space JSON with a final newline, keys in a stable order (diff-friendly). */
export function serializeSession(session: SessionFile): string {
  return `${JSON.stringify(session, null, 2)}\n`;
}
