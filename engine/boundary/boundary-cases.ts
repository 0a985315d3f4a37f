/**
 * Hostile and malformed commands, shared by the boundary tests of both transports (the dispatcher
 * directly, and the browser-mode WebSocket). Payloads are JSON text so that keys such as
 * `__proto__` arrive as real own properties, exactly as JSON.parse (WebSocket) or structured clone
 * (IPC) would deliver them.
 *
 * The cases assume an engine that already holds a bound UDP endpoint `u1` (its datagram log is
 * conversation `u1`) and a listener `l1`, so commands that name an endpoint get past the lookup
 * and the limits themselves are what refuses them.
 */
import type { BridgeErrorCode } from '../../shared/errors';
import { LIMITS } from '../../shared/primitives';

export interface BoundaryCase {
  name: string;
  /** JSON text of the command name (usually a string; a number tests a non-string name). */
  command: string;
  /** JSON text of the payload. */
  payload: string;
  code: BridgeErrorCode;
  /** For VALIDATION: the path of the first issue, when the case is about one field. */
  path?: string;
}

const j = (v: unknown) => JSON.stringify(v);
const host10k = 'a'.repeat(10 * 1024);
/** One base64 quantum over the schema's length limit. */
const BASE64_MAX = Math.ceil(LIMITS.messageBytes / 3) * 4;
export const OVERSIZED_BASE64 = 'A'.repeat(BASE64_MAX + 4);
/** Exactly at the schema's length limit, but it decodes to 2 bytes more than LIMITS.messageBytes. */
export const MAX_LENGTH_BASE64 = 'A'.repeat(BASE64_MAX);

function v(name: string, command: string, payload: unknown, path?: string): BoundaryCase {
  return { name, command: j(command), payload: typeof payload === 'string' ? payload : j(payload), code: 'VALIDATION', ...(path !== undefined ? { path } : {}) };
}

export function boundaryCases(): BoundaryCase[] {
  const udp = 'u1';
  const l = 'l1';
  const dest = { endpointId: udp, host: '127.0.0.1', port: 9, data: 'aGk=' };
  return [
    // Ports
    v('tcp:listen port 70000', 'tcp:listen', { bindAddress: '127.0.0.1', port: 70000 }, 'port'),
    v('tcp:connect port 70000', 'tcp:connect', { host: '127.0.0.1', port: 70000 }, 'port'),
    v('udp:bind port 70000', 'udp:bind', { bindAddress: '127.0.0.1', port: 70000 }, 'port'),
    v('udp:send port 70000', 'udp:send', { ...dest, port: 70000 }, 'port'),
    v('tcp:connect localPort 70000', 'tcp:connect', { host: '127.0.0.1', port: 80, localPort: 70000 }, 'localPort'),
    v('tcp:listen port -1', 'tcp:listen', { bindAddress: '127.0.0.1', port: -1 }, 'port'),
    v('tcp:listen port 1.5', 'tcp:listen', { bindAddress: '127.0.0.1', port: 1.5 }, 'port'),
    v('tcp:listen port 1e300', 'tcp:listen', '{"bindAddress":"127.0.0.1","port":1e300}', 'port'),
    v('tcp:connect port is a shell injection', 'tcp:connect', { host: '127.0.0.1', port: '80; touch /tmp/sockscope-pwned' }, 'port'),
    v('tcp:connect port is $(id)', 'tcp:connect', { host: '127.0.0.1', port: '$(id)' }, 'port'),
    v('tcp:connect service name of 65 characters', 'tcp:connect', { host: '127.0.0.1', port: 'a'.repeat(65) }, 'port'),
    v('tcp:connect empty port', 'tcp:connect', { host: '127.0.0.1', port: '' }, 'port'),
    // Hosts and paths
    v('tcp:connect 10 KB hostname', 'tcp:connect', { host: host10k, port: 80 }, 'host'),
    v('tcp:listen 10 KB bind address', 'tcp:listen', { bindAddress: host10k, port: 0 }, 'bindAddress'),
    v('udp:bind 10 KB bind address', 'udp:bind', { bindAddress: host10k, port: 0 }, 'bindAddress'),
    v('udp:send 10 KB hostname', 'udp:send', { ...dest, host: host10k }, 'host'),
    v('udp:connect 10 KB hostname', 'udp:connect', { endpointId: udp, host: host10k, port: 9 }, 'host'),
    v('udp:membership 10 KB group', 'udp:membership', { endpointId: udp, action: 'join', group: host10k }, 'group'),
    v('tcp:connect hostname of 254 characters', 'tcp:connect', { host: 'a'.repeat(254), port: 80 }, 'host'),
    v('tcp:connect empty host', 'tcp:connect', { host: '', port: 80 }, 'host'),
    v('tcp:connect host with a space and a shell', 'tcp:connect', { host: 'a;$(id) b', port: 80 }, 'host'),
    v('tcp:connect host with a slash', 'tcp:connect', { host: '../../etc/passwd', port: 80 }, 'host'),
    v('tcp:listen path of 1025 characters', 'tcp:listen', { path: `/tmp/${'x'.repeat(1020)}` }, 'path'),
    v('endpoint:close id with a path', 'endpoint:close', { endpointId: '../../etc/passwd' }, 'endpointId'),
    v('endpoint:close id of 65 characters', 'endpoint:close', { endpointId: 'a'.repeat(65) }, 'endpointId'),
    // Unknown commands
    { name: 'unknown command', command: j('tcp:explode'), payload: '{}', code: 'UNKNOWN_COMMAND' },
    { name: 'command named __proto__', command: j('__proto__'), payload: '{}', code: 'UNKNOWN_COMMAND' },
    { name: 'command named constructor', command: j('constructor'), payload: '{}', code: 'UNKNOWN_COMMAND' },
    { name: 'command named hasOwnProperty', command: j('hasOwnProperty'), payload: '{}', code: 'UNKNOWN_COMMAND' },
    { name: 'empty command name', command: j(''), payload: '{}', code: 'UNKNOWN_COMMAND' },
    { name: 'command name is a number', command: '42', payload: '{}', code: 'UNKNOWN_COMMAND' },
    { name: 'command name is an object', command: '{"toString":"tcp:listen"}', payload: '{}', code: 'UNKNOWN_COMMAND' },
    // Extra keys (strict schemas)
    v('tcp:listen extra key', 'tcp:listen', { bindAddress: '127.0.0.1', port: 0, extra: 1 }),
    v('tcp:connect extra key "shell"', 'tcp:connect', '{"host":"127.0.0.1","port":80,"shell":true}'),
    v('tcp:listen extra key inside behaviour', 'tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo', exec: 'id' } }),
    v('udp:repeat extra key', 'udp:repeat', { ...dest, count: 1, intervalMs: 0, burst: 10 }),
    v('app:info extra key', 'app:info', { verbose: true }),
    // Prototype keys, as own properties
    v('own __proto__ at the top', 'tcp:listen', '{"bindAddress":"127.0.0.1","port":0,"__proto__":{"polluted":true}}', '__proto__'),
    v('own __proto__ inside behaviour', 'tcp:listen', '{"bindAddress":"127.0.0.1","port":0,"behaviour":{"mode":"echo","__proto__":{"polluted":true}}}', 'behaviour.__proto__'),
    v('constructor.prototype', 'udp:bind', '{"bindAddress":"127.0.0.1","port":0,"constructor":{"prototype":{"polluted":true}}}', 'constructor'),
    v('own prototype key', 'app:snapshot', '{"prototype":{"polluted":true}}', 'prototype'),
    v('__proto__ on a command without fields', 'app:info', '{"__proto__":{"polluted":true}}', '__proto__'),
    v('__proto__ hidden 1,000 levels deep', 'tcp:listen', `${'{"a":'.repeat(1000)}{"__proto__":{"polluted":true}}${'}'.repeat(1000)}`),
    // Message size and encoding
    v('conversation:send base64 over the size limit', 'conversation:send', { conversationId: udp, data: OVERSIZED_BASE64 }, 'data'),
    v('listener:broadcast base64 over the size limit', 'listener:broadcast', { endpointId: l, data: OVERSIZED_BASE64 }, 'data'),
    v('udp:send base64 over the size limit', 'udp:send', { ...dest, data: OVERSIZED_BASE64 }, 'data'),
    v('tcp:listen banner over the size limit', 'tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'manual', banner: OVERSIZED_BASE64 } }, 'behaviour.banner'),
    v('udp:send that decodes to more than the limit', 'udp:send', { ...dest, data: MAX_LENGTH_BASE64 }),
    v('udp:send data that is not base64', 'udp:send', { ...dest, data: '<img src=x onerror=alert(1)>' }, 'data'),
    // Counts and intervals
    v('udp:repeat count 0', 'udp:repeat', { ...dest, count: 0, intervalMs: 10 }, 'count'),
    v('udp:repeat count -1', 'udp:repeat', { ...dest, count: -1, intervalMs: 10 }, 'count'),
    v('udp:repeat count over the limit', 'udp:repeat', { ...dest, count: LIMITS.repeat.maxCount + 1, intervalMs: 0 }, 'count'),
    v('udp:repeat count 1e12', 'udp:repeat', { ...dest, count: 1e12, intervalMs: 0 }, 'count'),
    v('udp:repeat count 2.5', 'udp:repeat', { ...dest, count: 2.5, intervalMs: 0 }, 'count'),
    v('udp:repeat count null (NaN or Infinity through JSON)', 'udp:repeat', { ...dest, count: null, intervalMs: 0 }, 'count'),
    v('udp:repeat interval -1', 'udp:repeat', { ...dest, count: 5, intervalMs: -1 }, 'intervalMs'),
    v('udp:repeat interval over an hour', 'udp:repeat', { ...dest, count: 5, intervalMs: LIMITS.repeat.maxIntervalMs + 1 }, 'intervalMs'),
    v('udp:repeat interval 1e300', 'udp:repeat', '{"endpointId":"u1","host":"127.0.0.1","port":9,"data":"aGk=","count":5,"intervalMs":1e300}', 'intervalMs'),
    v('traffic:page limit 0', 'traffic:page', { conversationId: udp, limit: 0 }, 'limit'),
    v('traffic:page limit over the page size', 'traffic:page', { conversationId: udp, limit: LIMITS.trafficPage + 1 }, 'limit'),
    v('traffic:page beforeSeq -1', 'traffic:page', { conversationId: udp, limit: 10, beforeSeq: -1 }, 'beforeSeq'),
    v('tcp:connect timeout below 100 ms', 'tcp:connect', { host: '127.0.0.1', port: 80, timeoutMs: 99 }, 'timeoutMs'),
    v('tcp:connect timeout over 2 minutes', 'tcp:connect', { host: '127.0.0.1', port: 80, timeoutMs: 120_001 }, 'timeoutMs'),
    v('tcp:connect negative timeout', 'tcp:connect', { host: '127.0.0.1', port: 80, timeoutMs: -5 }, 'timeoutMs'),
    v('tcp:listen backlog 0', 'tcp:listen', { bindAddress: '127.0.0.1', port: 0, backlog: 0 }, 'backlog'),
    v('tcp:listen backlog 65536', 'tcp:listen', { bindAddress: '127.0.0.1', port: 0, backlog: 65_536 }, 'backlog'),
    v('tcp:listen maxClients 0', 'tcp:listen', { bindAddress: '127.0.0.1', port: 0, maxClients: 0 }, 'maxClients'),
    v('listener:configure maxClients -1', 'listener:configure', { endpointId: l, maxClients: -1 }, 'maxClients'),
    v('listener:configure maxClients over the limit', 'listener:configure', { endpointId: l, maxClients: LIMITS.maxClients.max + 1 }, 'maxClients'),
    v('udp:configure ttl 0', 'udp:configure', { endpointId: udp, ttl: 0 }, 'ttl'),
    v('udp:configure ttl 256', 'udp:configure', { endpointId: udp, ttl: 256 }, 'ttl'),
    v('udp:configure multicastTtl -1', 'udp:configure', { endpointId: udp, multicastTtl: -1 }, 'multicastTtl'),
    // Wrong shapes
    v('payload is an array', 'tcp:listen', '[]'),
    v('payload is a string', 'tcp:listen', '"0.0.0.0:80"'),
    v('payload is a number', 'udp:bind', '7'),
    v('port is an object', 'tcp:listen', { bindAddress: '127.0.0.1', port: { valueOf: 80 } }, 'port'),
    v('mode is not a behaviour', 'tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'exec' } }, 'behaviour.mode'),
    ...sessionCases(),
  ];
}

/** Saved messages, UI state, session import and Retry (engine/session/). */
function sessionCases(): BoundaryCase[] {
  const msg = { name: 'Ping', group: '', format: 'text', content: 'PING\\r\\n', lineEnding: 'crlf' };
  const session = (extra: Record<string, unknown>) => JSON.stringify({ format: 'sockscope-session', version: 1, ...extra });
  return [
    v('saved-messages:save extra key', 'saved-messages:save', { ...msg, script: 'rm -rf ~' }),
    v('saved-messages:save empty name', 'saved-messages:save', { ...msg, name: '   ' }, 'name'),
    v('saved-messages:save name of 101 characters', 'saved-messages:save', { ...msg, name: 'n'.repeat(101) }, 'name'),
    v('saved-messages:save content over 64 KB', 'saved-messages:save', { ...msg, content: 'x'.repeat(64 * 1024 + 1) }, 'content'),
    v('saved-messages:save unknown format', 'saved-messages:save', { ...msg, format: 'html' }, 'format'),
    v('saved-messages:save id with a path', 'saved-messages:save', { ...msg, id: '../../etc/passwd' }, 'id'),
    v('saved-messages:save own __proto__', 'saved-messages:save', `{"name":"a","group":"","format":"text","content":"","lineEnding":"lf","__proto__":{"polluted":true}}`, '__proto__'),
    v('saved-messages:remove id of 65 characters', 'saved-messages:remove', { id: 'a'.repeat(65) }, 'id'),
    v('saved-messages:reorder an id that is not saved', 'saved-messages:reorder', { ids: ['nope'] }, 'ids'),
    v('saved-messages:reorder 2,001 ids', 'saved-messages:reorder', { ids: Array.from({ length: 2001 }, (_, i) => `m${i}`) }, 'ids'),
    v('ui:save extra key', 'ui:save', { view: 'endpoints', zoom: 3 }),
    v('ui:save unknown view', 'ui:save', { view: 'settings' }, 'view'),
    v('ui:save theme that is CSS', 'ui:save', { theme: 'dark;background:url(x)' }, 'theme'),
    v('ui:save selected id with a path', 'ui:save', { selectedEndpointId: '../l1' }, 'selectedEndpointId'),
    v('ui:save tab of 41 characters', 'ui:save', { workspaceTab: { l1: 't'.repeat(41) } }, 'workspaceTab.l1'),
    v('ui:save constructor as a tab key', 'ui:save', '{"workspaceTab":{"constructor":"x"}}', 'workspaceTab.constructor'),
    v('ui:save 101 collapsed panels', 'ui:save', { collapsedPanels: Array.from({ length: 101 }, (_, i) => `p${i}`) }, 'collapsedPanels'),
    v('ui:save filter of 257 characters', 'ui:save', { systemSocketsFilters: { text: 'f'.repeat(257) } }, 'systemSocketsFilters.text'),
    v('session:configure without its field', 'session:configure', {}, 'reconnectOnStart'),
    v('session:export extra key', 'session:export', { path: '/etc/passwd' }),
    v('session:import json over 16 MiB', 'session:import', { json: ' '.repeat(16 * 1024 * 1024 + 1) }, 'json'),
    v('session:import json is an object', 'session:import', { json: { format: 'sockscope-session' } }, 'json'),
    v('session:import not JSON', 'session:import', { json: '{"format":' }),
    v('session:import not a session', 'session:import', { json: '{"packets":[]}' }, 'format'),
    v('session:import newer version', 'session:import', { json: session({ version: 7 }) }, 'version'),
    v('session:import port 70000', 'session:import', { json: session({ endpoints: [{ kind: 'tcp-listener', bindAddress: '127.0.0.1', port: 70000 }] }) }, 'endpoints.0.port'),
    v('session:import unknown key in an endpoint', 'session:import', { json: session({ endpoints: [{ kind: 'udp', bindAddress: '127.0.0.1', port: 0, exec: 'id' }] }) }, 'endpoints.0'),
    v('session:import own __proto__ inside', 'session:import', { json: '{"format":"sockscope-session","version":1,"ui":{"__proto__":{"polluted":true}}}' }, 'ui.__proto__'),
    v('session:import auto-reply without a reply', 'session:import', { json: session({ endpoints: [{ kind: 'tcp-listener', port: 0, behaviour: { mode: 'auto-reply' } }] }) }, 'endpoints.0.behaviour.reply'),
    v('session:import 2,001 saved messages', 'session:import', { json: session({ savedMessages: Array.from({ length: 2001 }, (_, i) => ({ ...msg, id: `m${i}` })) }) }, 'savedMessages'),
    v('endpoint:retry id with a path', 'endpoint:retry', { endpointId: '../../l1' }, 'endpointId'),
    { name: 'endpoint:retry an open listener', command: j('endpoint:retry'), payload: j({ endpointId: 'l1' }), code: 'INVALID_STATE' },
    { name: 'saved-messages:remove an unknown message', command: j('saved-messages:remove'), payload: j({ id: 'nope' }), code: 'NOT_FOUND' },
  ];
}

/** Nothing a refused command might have touched leaks onto Object.prototype. */
export function prototypeIsClean(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe.polluted === undefined && Object.getOwnPropertyNames(Object.prototype).every((k) => k !== 'polluted');
}

/**
 * The parts of an `app:snapshot` a command could change: endpoints, conversations, traffic, recent
 * hosts and the session (saved messages, UI state, options). (Time series such as rate history move
 * by themselves and are left out.)
 */
export function sideEffectView(snapshot: unknown): string {
  const s = snapshot as Record<string, unknown>;
  return JSON.stringify({
    endpoints: s.endpoints,
    conversations: s.conversations,
    traffic: s.traffic,
    recentHosts: s.recentHosts,
    savedMessages: s.savedMessages,
    ui: s.ui,
    session: s.session,
  });
}
