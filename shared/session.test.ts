import { describe, expect, it } from 'vitest';
import { emptySession, migrateSession, parseSessionText, serializeSession, SESSION_FORMAT, SESSION_VERSION, type Migration } from './session';

describe('the session file schema', () => {
  it('fills every block a hand-written file leaves out', () => {
    const r = parseSessionText(JSON.stringify({ format: SESSION_FORMAT, version: 1 }));
    expect(r).toEqual({ ok: true, session: emptySession() });
    expect(emptySession()).toMatchObject({
      options: { reconnectOnStart: false },
      endpoints: [],
      savedMessages: [],
      recentHosts: { tcp: [], udp: [], unix: [] },
      ui: { view: 'endpoints', selectedEndpointId: null, theme: 'system', collapsedPanels: [] },
      window: null,
    });
  });

  it('serializes to two-space JSON with a final newline that parses back to the same session', () => {
    const text = serializeSession(emptySession());
    expect(text).toMatch(/^\{\n {2}"format": "sockscope-session",\n {2}"version": 1,\n/);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseSessionText(text)).toEqual({ ok: true, session: emptySession() });
  });

  it('tells apart: not JSON, not a session, a newer version, and a field the schema refuses', () => {
    expect(parseSessionText('{')).toMatchObject({ ok: false, problem: 'not-json' });
    expect(parseSessionText('"sockscope-session"')).toMatchObject({ ok: false, problem: 'wrong-format' });
    expect(parseSessionText(JSON.stringify({ format: SESSION_FORMAT, version: SESSION_VERSION + 1 }))).toMatchObject({ ok: false, problem: 'future-version' });
    expect(parseSessionText(JSON.stringify({ format: SESSION_FORMAT, version: 1.5 }))).toMatchObject({ ok: false, problem: 'invalid', issues: [{ path: 'version' }] });
    expect(parseSessionText(JSON.stringify({ format: SESSION_FORMAT, version: 1, extra: true }))).toMatchObject({ ok: false, problem: 'invalid' });
  });
});

describe('migrations from older versions', () => {
  // Version 1 is the first; these stand in for the migrations later versions add (e.g. rules in v2).
  const toV2: Migration = (v1) => ({
    ...v1,
    endpoints: ((v1.endpoints as Record<string, unknown>[] | undefined) ?? []).map((e) => (e.kind === 'tcp-listener' ? { ...e, rules: [] } : e)),
  });
  const toV3: Migration = (v2) => ({ ...v2, renamed: v2.savedMessages, savedMessages: undefined });

  it('runs each step in order, stamping each version', () => {
    const v1 = { format: SESSION_FORMAT, version: 1, endpoints: [{ kind: 'tcp-listener', port: 0 }, { kind: 'udp' }], savedMessages: [1] };
    expect(migrateSession(v1, 1, { 1: toV2, 2: toV3 }, 3)).toEqual({
      format: SESSION_FORMAT,
      version: 3,
      endpoints: [{ kind: 'tcp-listener', port: 0, rules: [] }, { kind: 'udp' }],
      renamed: [1],
      savedMessages: undefined,
    });
  });

  it('a file already at the current version is returned as it is', () => {
    const doc = { format: SESSION_FORMAT, version: 3 };
    expect(migrateSession(doc, 3, { 1: toV2, 2: toV3 }, 3)).toBe(doc);
  });

  it('a missing step is refused (never a half-migrated file)', () => {
    expect(migrateSession({ version: 1 }, 1, { 2: toV3 }, 3)).toBeNull();
    const r = parseSessionText(JSON.stringify({ format: SESSION_FORMAT, version: 1 }), { 2: toV3 }, 3);
    expect(r).toMatchObject({ ok: false, problem: 'invalid', message: 'version: no migration from session version 1' });
  });

  it('parseSessionText migrates an older file before the schema checks it', () => {
    // A pretend "version 0" whose endpoints were called `sockets`.
    const fromV0: Migration = ({ sockets, ...rest }) => ({ ...rest, endpoints: sockets });
    const v0 = JSON.stringify({ format: SESSION_FORMAT, version: 0, sockets: [{ kind: 'udp', bindAddress: '127.0.0.1', port: 5353 }] });
    expect(parseSessionText(v0)).toMatchObject({ ok: false, problem: 'invalid', message: 'version: no migration from session version 0' });
    const r = parseSessionText(v0, { 0: fromV0 });
    expect(r.ok && r.session.endpoints).toEqual([{ kind: 'udp', bindAddress: '127.0.0.1', port: 5353 }]);
    expect(r.ok && r.session.version).toBe(1);
  });
});
