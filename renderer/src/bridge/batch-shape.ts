/**
 * A light structural check of an engine event batch, used by the renderer instead of a full zod
 * parse of `EventBatch`.
 *
 * Why not the full schema here: under load one batch carries up to ~1,000 conversation snapshots
 * and as many traffic events, and `EventBatch.safeParse` was the largest single piece of the
 * renderer's script time (≈ 640 ms of 10 s in `npm run bench -- --only load`), on the same thread
 * that draws the frames. The engine is the trusted side of this boundary: it builds every event
 * from its own typed state, and its tests parse real batches with the full shared schema
 * (engine/tcp/contract.test.ts, pipeline/batcher.test.ts, udp/udp-flood.test.ts). The
 * boundary that must be strictly validated is input *to* the engine (every command request is
 * parsed with its zod schema in the dispatcher). Command answers, snapshots included, are parsed
 * with their response schemas by the engine's dispatcher in tests and development builds
 * (engine/dispatcher.ts); the renderer does not parse them again.
 *
 * What is still checked here, per event: the envelope, a known `type`, and the fields the store's
 * reducer indexes or iterates by (ids, arrays, sequence numbers), so a malformed or foreign
 * message is dropped as a whole instead of corrupting the store. Field values deeper inside the
 * snapshots (counters, addresses, timelines) are rendered as text by React, which escapes them.
 */
import type { EventBatch } from '../../../shared/contract';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStrArray = (v: unknown): boolean => Array.isArray(v) && v.every(isStr);

const ENDPOINT_KINDS = new Set(['tcp-listener', 'tcp-connection', 'udp']);

function endpointOk(e: unknown): boolean {
  if (!isObj(e) || !isStr(e.id) || !isStr(e.kind) || !ENDPOINT_KINDS.has(e.kind)) return false;
  if (!isNum(e.createdAt) || !isStr(e.state) || !Array.isArray(e.timeline)) return false;
  // A listener's client list drives the Clients table; the others carry counters the workspace shows.
  if (e.kind === 'tcp-listener') return isObj(e.stats) && isStrArray(e.clientIds);
  return e.kind === 'tcp-connection' || isObj(e.stats);
}

function conversationOk(c: unknown): boolean {
  return isObj(c) && isStr(c.id) && isStr(c.endpointId) && isStr(c.state) && isObj(c.stats) && isObj(c.notKept);
}

function chunkOk(c: unknown): boolean {
  return isObj(c) && isNum(c.seq) && isNum(c.ts) && (c.dir === 'in' || c.dir === 'out') && isNum(c.size) && isStr(c.data);
}

function eventOk(e: unknown): boolean {
  if (!isObj(e)) return false;
  switch (e.type) {
    case 'endpoint:changed':
      return endpointOk(e.endpoint);
    case 'listener:changed':
      // A listener's snapshot whose timeline comes as appended calls (shared/timeline.ts).
      return (
        isObj(e.endpoint) &&
        e.endpoint.kind === 'tcp-listener' &&
        endpointOk({ ...e.endpoint, timeline: [] }) &&
        isObj(e.timeline) &&
        isNum(e.timeline.total) &&
        Array.isArray(e.timeline.added)
      );
    case 'endpoint:removed':
      return isStr(e.endpointId);
    case 'conversation:changed':
      return conversationOk(e.conversation);
    case 'traffic:appended':
      return isStr(e.conversationId) && Array.isArray(e.chunks) && e.chunks.every(chunkOk) && isObj(e.skipped) && isNum(e.skipped.chunks) && isNum(e.skipped.bytes);
    case 'recent-hosts:changed':
      return isObj(e.hosts) && isStrArray(e.hosts.tcp) && isStrArray(e.hosts.udp) && isStrArray(e.hosts.unix);
    case 'saved-messages:changed':
      return Array.isArray(e.messages) && e.messages.every((m) => isObj(m) && isStr(m.id) && isStr(m.name) && isStr(m.content));
    case 'session:changed':
      return isObj(e.session) && typeof e.session.reconnectOnStart === 'boolean';
    case 'rates:sampled':
      return isNum(e.ts) && isObj(e.total) && Array.isArray(e.samples) && e.samples.every((s) => isObj(s) && isStr(s.id) && isNum(s.in) && isNum(s.out));
    case 'script:step':
      return isObj(e.result) && isStr(e.result.runId) && isStr(e.result.path) && typeof e.result.ok === 'boolean';
    case 'script:ended':
      return isObj(e.end) && isStr(e.end.runId) && isStr(e.end.outcome) && isNum(e.unreported);
    case 'script:paused':
      return isObj(e.pause) && isStr(e.pause.runId) && isStr(e.pause.path) && isStr(e.pause.step) && Array.isArray(e.pause.iteration);
    case 'generator:changed':
      return isObj(e.generator) && isStr(e.generator.id) && isStr(e.generator.state) && isStrArray(e.generator.endpointIds);
    default:
      return false;
  }
}

/** True when `raw` has the shape of an `EventBatch` as far as the store relies on it. */
export function isEventBatchShape(raw: unknown): raw is EventBatch {
  return isObj(raw) && isNum(raw.seq) && Array.isArray(raw.events) && raw.events.every(eventOk);
}
