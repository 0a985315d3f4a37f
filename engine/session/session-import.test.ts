/**
 * `Export session` hands out the session file's text; `Import session` takes such a text back —
 * whole, or (for a broken or hostile file) not at all, with a VALIDATION error naming the field.
 */
import { describe, expect, it } from 'vitest';
import type { ListenerSnapshot, UdpSnapshot } from '../../shared/endpoints';
import { parseSessionText, SESSION_FORMAT, SESSION_LIMITS } from '../../shared/session';
import { b64 } from '../testing/bytes';
import { startHost } from '../testing/session-host';
import type { TestHost } from '../testing/test-host';
import { endpointProblem } from './endpoint-checks';

const portOf = (s: { local: ListenerSnapshot['local'] }) => (s.local?.kind === 'inet' ? s.local.port : -1);

/** The parts of a snapshot an import could change. */
async function sessionView(h: TestHost): Promise<string> {
  const s = await h.snapshot();
  const endpoints = s.endpoints.map((e) => ({ id: e.id, kind: e.kind, state: e.state, local: e.local }));
  return JSON.stringify({ endpoints, savedMessages: s.savedMessages, ui: s.ui, recentHosts: s.recentHosts, session: s.session });
}

const session = (extra: Record<string, unknown>) => JSON.stringify({ format: SESSION_FORMAT, version: 1, ...extra });
const message = (id: string) => ({ id, name: id, group: '', format: 'text', content: 'x', lineEnding: 'none' });

describe('export and import', () => {
  it('round trip: what one engine exports, another imports, replacing what it had', async () => {
    const a = await startHost(null);
    const { endpointId: l } = await a.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'manual', banner: b64('hello\r\n') } });
    const { endpointId: u } = await a.call('udp:bind', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
    await a.call('udp:configure', { endpointId: u, broadcast: true });
    await a.call('tcp:connect', { host: '127.0.0.1', port: 9, timeoutMs: 1500 });
    await a.call('saved-messages:save', { name: 'Hello', group: 'HTTP', format: 'text', content: 'GET / HTTP/1.0\\r\\n\\r\\n', lineEnding: 'none' });
    await a.call('ui:save', { selectedEndpointId: l, theme: 'dark', collapsedPanels: ['timeline'] });
    const tcpPort = portOf(a.endpoint(l) as ListenerSnapshot);
    const udpPort = portOf(a.endpoint(u) as UdpSnapshot);
    const { json } = await a.call('session:export', {});
    // The file format itself: a person can commit it, and it parses back as it is.
    expect(json.endsWith('}\n')).toBe(true);
    const parsed = parseSessionText(json);
    expect(parsed.ok && parsed.session.endpoints.map((e) => e.kind)).toEqual(['tcp-listener', 'udp', 'tcp-connection']);
    await a.stop(); // frees the ports for the importer

    const b = await startHost(null);
    const { endpointId: old } = await b.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    await b.call('saved-messages:save', { name: 'Old', group: '', format: 'hex', content: 'ff', lineEnding: 'none' });
    const answer = await b.call('session:import', { json });
    expect(answer).toMatchObject({ endpoints: 3, savedMessages: 1 });

    const snap = await b.snapshot();
    expect(snap.endpoints.some((e) => e.id === old)).toBe(false);
    const [l2, u2, c2] = snap.endpoints;
    expect(l2).toMatchObject({ kind: 'tcp-listener', state: 'listening', behaviour: { mode: 'manual', banner: b64('hello\r\n') } });
    expect(portOf(l2 as ListenerSnapshot)).toBe(tcpPort);
    expect(u2).toMatchObject({ kind: 'udp', state: 'bound', broadcast: true, behaviour: { mode: 'echo' } });
    expect(portOf(u2 as UdpSnapshot)).toBe(udpPort);
    expect(c2).toMatchObject({ kind: 'tcp-connection', state: 'closed', request: { host: '127.0.0.1', port: 9, timeoutMs: 1500 } });
    expect(snap.savedMessages.map((m) => m.name)).toEqual(['Hello']);
    expect(snap.ui).toMatchObject({ selectedEndpointId: l2!.id, theme: 'dark', collapsedPanels: ['timeline'] });
    expect(answer.ui).toEqual(snap.ui);

    // And it exports again as the same document (ids aside).
    const again = JSON.parse((await b.call('session:export', {})).json) as { endpoints: { id?: string }[] };
    const first = JSON.parse(json) as typeof again;
    const withoutIds = (d: typeof again) => ({ ...d, endpoints: d.endpoints.map(({ id: _id, ...rest }) => rest), ui: undefined });
    expect(withoutIds(again)).toEqual(withoutIds(first));
  });

  const hostile: [string, string, RegExp, string?][] = [
    ['not JSON', '{"format": "sockscope-session", "version": 1,', /not valid JSON/],
    ['a JSON array', '[]', /not a Sockscope session file/, 'format'],
    ['another tool\'s file', '{"packets": []}', /not a Sockscope session file/, 'format'],
    ['a newer version', session({ version: 2 }), /newer Sockscope .*update Sockscope to import it/, 'version'],
    ['version as a string', session({ version: '1' }), /whole-number version/, 'version'],
    ['a port of 70000', session({ endpoints: [{ kind: 'tcp-listener', bindAddress: '127.0.0.1', port: 70000 }] }), /endpoints\.0\.port/, 'endpoints.0.port'],
    // (`exec` is a real key now, and an imported exec listener is refused: engine/exec/exec-session-file.test.ts.)
    ['an unknown key in an endpoint ("command")', session({ endpoints: [{ kind: 'tcp-listener', port: 0, command: 'rm -rf ~' }] }), /Unrecognized key/, 'endpoints.0'],
    ['an unknown endpoint kind', session({ endpoints: [{ kind: 'tcp-exec', command: 'id' }] }), /endpoints\.0\.kind/, 'endpoints.0.kind'],
    ['a host with a shell in it', session({ endpoints: [{ kind: 'tcp-connection', host: '$(id) x', port: 80 }] }), /endpoints\.0\.host/, 'endpoints.0.host'],
    ['a path and an address at once', session({ endpoints: [{ kind: 'tcp-listener', path: '/tmp/x.sock', port: 80 }] }), /either a path or an address/, 'endpoints.0.path'],
    ['auto-reply without a reply', session({ endpoints: [{ kind: 'tcp-listener', port: 0, behaviour: { mode: 'auto-reply' } }] }), /endpoints\.0\.behaviour\.reply/, 'endpoints.0.behaviour.reply'],
    ['a banner on UDP', session({ endpoints: [{ kind: 'udp', bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'manual', banner: 'aGk=' } }] }), /endpoints\.0\.behaviour\.banner/],
    ['a reply that is not base64', session({ endpoints: [{ kind: 'tcp-listener', port: 0, behaviour: { mode: 'auto-reply', reply: '<script>' } }] }), /endpoints\.0\.behaviour\.reply/],
    ['an own __proto__ key', '{"format":"sockscope-session","version":1,"ui":{"workspaceTab":{"__proto__":"x"}}}', /forbidden key/, 'ui.workspaceTab.__proto__'],
    ['a constructor key in a record', session({ ui: { workspaceTab: { constructor: 'x' } } }), /forbidden key/, 'ui.workspaceTab.constructor'],
    ['nesting 40 levels deep', `{"format":"sockscope-session","version":1,"ui":${'['.repeat(40)}${']'.repeat(40)}}`, /nested more than 32 levels/],
    ['300,000 array elements', session({ ui: { collapsedPanels: Array(300_000).fill(0) } }), /more than 250,000 fields/],
    ['1,001 endpoints', session({ endpoints: Array.from({ length: 1001 }, () => ({ kind: 'udp', bindAddress: '127.0.0.1', port: 0 })) }), /endpoints/, 'endpoints'],
    ['2,001 saved messages', session({ savedMessages: Array.from({ length: 2001 }, (_, i) => message(`m${i}`)) }), /savedMessages/, 'savedMessages'],
    ['two saved messages with one id', session({ savedMessages: [message('m1'), message('m1')] }), /another saved message has this id/, 'savedMessages.1.id'],
    ['a saved message of 100 KB', session({ savedMessages: [{ ...message('m1'), content: 'x'.repeat(100 * 1024) }] }), /savedMessages\.0\.content/],
    ['a window of 5 pixels', session({ window: { x: 0, y: 0, width: 5, height: 5 } }), /window\.width/],
  ];

  for (const [what, json, message, path] of hostile) {
    it(`refuses ${what}, and changes nothing`, async () => {
      const h = await startHost(null);
      await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
      await h.call('saved-messages:save', { name: 'Mine', group: '', format: 'text', content: 'x', lineEnding: 'lf' });
      await h.call('ui:save', { theme: 'light' });
      const before = await sessionView(h);
      const error = await h.fail('session:import', { json });
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toMatch(/^session file: /);
      expect(error.message).toMatch(message);
      if (path !== undefined) expect(error.issues?.[0]?.path).toBe(path);
      expect(await sessionView(h)).toBe(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('refuses a file over the size limit before reading it (the command schema)', async () => {
    const h = await startHost(null);
    const error = await h.fail('session:import', { json: ' '.repeat(SESSION_LIMITS.fileBytes + 1) });
    expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'json' }] });
    expect(error.message).toMatch(/at most 16 MiB/);
  });

  it('the example file in docs/sessions.md is a valid session (checked, not opened: it binds 0.0.0.0)', async () => {
    const { readFileSync } = await import('node:fs');
    const md = readFileSync(new URL('../../docs/sessions.md', import.meta.url), 'utf8');
    const parsed = parseSessionText(/```json\n([\s\S]*?)```/.exec(md)?.[1] ?? '');
    expect(parsed.ok && parsed.session.endpoints.map((e) => e.kind)).toEqual(['tcp-listener', 'tcp-listener', 'tcp-connection', 'udp']);
    expect(parsed.ok && endpointProblem(parsed.session)).toBeNull();
  });

  it('a minimal hand-written file imports (every block has a default)', async () => {
    const h = await startHost(null);
    await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    expect(await h.call('session:import', { json: session({}) })).toMatchObject({ endpoints: 0, savedMessages: 0 });
    expect((await h.snapshot()).endpoints).toEqual([]);
  });
});

describe('saved messages', () => {
  it('add, replace by id, remove; each change reaches every UI as an event', async () => {
    const h = await startHost(null);
    const events: unknown[] = [];
    const detach = h.engine.attachClient({ send: (b) => events.push(...b.events.filter((e) => e.type === 'saved-messages:changed')) });
    const { id } = await h.call('saved-messages:save', { name: 'One', group: 'G', format: 'text', content: '1', lineEnding: 'lf' });
    await h.call('saved-messages:save', { id, name: 'Uno', group: 'G', format: 'text', content: '1', lineEnding: 'crlf' });
    const { id: two } = await h.call('saved-messages:save', { name: 'Two', group: '', format: 'hex', content: '02', lineEnding: 'none' });
    expect((await h.snapshot()).savedMessages.map((m) => [m.name, m.lineEnding])).toEqual([
      ['Uno', 'crlf'],
      ['Two', 'none'],
    ]);
    await h.call('saved-messages:remove', { id });
    expect((await h.snapshot()).savedMessages.map((m) => m.id)).toEqual([two]);
    expect((await h.fail('saved-messages:remove', { id })).code).toBe('NOT_FOUND');
    await new Promise((r) => setTimeout(r, 100));
    detach();
    expect(events.at(-1)).toEqual({ type: 'saved-messages:changed', messages: [expect.objectContaining({ id: two })] });
  });

  it('reorders the list (every id once), and refuses a list that drops or repeats one', async () => {
    const h = await startHost(null);
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) ids.push((await h.call('saved-messages:save', { name, group: '', format: 'text', content: name, lineEnding: 'none' })).id);
    await h.call('saved-messages:reorder', { ids: [ids[2]!, ids[0]!, ids[1]!] });
    expect((await h.snapshot()).savedMessages.map((m) => m.name)).toEqual(['c', 'a', 'b']);
    for (const bad of [[ids[0]!, ids[1]!], [ids[0]!, ids[0]!, ids[1]!], [...ids, 'other']]) {
      expect((await h.fail('saved-messages:reorder', { ids: bad })).code).toBe('VALIDATION');
    }
    expect((await h.snapshot()).savedMessages.map((m) => m.name)).toEqual(['c', 'a', 'b']);
  });

  it('refuses the 2,001st message with LIMIT', async () => {
    const h = await startHost(null);
    await h.call('session:import', { json: session({ savedMessages: Array.from({ length: 2000 }, (_, i) => message(`m${i}`)) }) });
    const error = await h.fail('saved-messages:save', { name: 'one more', group: '', format: 'text', content: 'x', lineEnding: 'none' });
    expect(error.code).toBe('LIMIT');
    expect((await h.snapshot()).savedMessages).toHaveLength(2000);
  });
});
