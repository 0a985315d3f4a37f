/**
 * The session client's own checks, against an engine side played by the test over the in-process
 * port: what it accepts as a snapshot in each mode, and that a foreign answer is never taken for one.
 */
import { describe, expect, it } from 'vitest';
import { createEngineHost } from '../index';
import { inProcessPortPair } from './in-process-port';
import { createSessionClient } from '../../shared/session-client';

async function realAttached(): Promise<Record<string, unknown>> {
  const host = createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
  try {
    const [info, snapshot] = await Promise.all([host.dispatch('app:info', {}), host.dispatch('app:snapshot', {})]);
    if (!info.ok || !snapshot.ok) throw new Error('no snapshot');
    return { type: 'attached', protocol: 1, info: info.value, snapshot: snapshot.value };
  } finally {
    await host.engine.shutdown();
  }
}

/** A client whose hello is answered with `answer`. */
function clientAnswering(answer: unknown, mode: 'parse' | 'shape') {
  const { engineSide, clientSide } = inProcessPortPair();
  engineSide.onMessage((m) => {
    if ((m as { type: string }).type === 'hello') engineSide.send(answer as never);
  });
  engineSide.onClose(() => undefined);
  return createSessionClient(clientSide, { snapshot: mode });
}

describe('the session client', () => {
  it('takes a real snapshot in both modes', async () => {
    const attached = await realAttached();
    for (const mode of ['parse', 'shape'] as const) {
      const got = await clientAnswering(attached, mode).attach();
      expect(got.info.name).toBe('Sockscope');
      expect(got.snapshot.endpoints).toEqual([]);
    }
  });

  it('refuses a snapshot without its lists in both modes, and a wrongly typed field when parsing in full', async () => {
    const attached = await realAttached();
    const snapshot = attached.snapshot as Record<string, unknown>;
    for (const mode of ['parse', 'shape'] as const) {
      await expect(clientAnswering({ ...attached, snapshot: { ...snapshot, endpoints: 'all' } }, mode).attach()).rejects.toThrow(/malformed snapshot/);
      await expect(clientAnswering({ ...attached, protocol: 2 }, mode).attach()).rejects.toThrow(/malformed snapshot/);
    }
    const badInfo = { ...attached, info: { ...(attached.info as object), isRoot: 'yes' } };
    await expect(clientAnswering(badInfo, 'parse').attach()).rejects.toThrow(/malformed snapshot/);
  });

  it('resolves waiting invokes DISCONNECTED when the port closes, and refuses new ones', async () => {
    const { engineSide, clientSide } = inProcessPortPair();
    engineSide.onMessage(() => undefined); // never answers
    engineSide.onClose(() => undefined);
    const client = createSessionClient(clientSide);
    const waiting = client.invoke('app:info', {});
    engineSide.close();
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    expect(await client.invoke('app:info', {})).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    await expect(client.attach()).rejects.toThrow(/not connected/);
  });
});
