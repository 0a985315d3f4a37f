/**
 * STARTTLS as SMTP does it, against a small server this test starts: a plain banner, `STARTTLS`,
 * `220 Ready`, then the same TCP connection speaks TLS (the server wraps its socket exactly as
 * SMTP servers do). The conversation carries on in the same workspace and log; a second upgrade, or
 * one with bytes still unsent, is refused; a failed verification ends the conversation with the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, TLSSocket } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { b64 } from '../testing/bytes';
import { useTestHosts } from '../testing/test-host';
import { waitFor } from '../testing/wait';

const hasOpenssl = !spawnSync('openssl', ['version']).error;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-starttls-'));
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const host = useTestHosts();

/** An SMTP-shaped server: banner, STARTTLS → 220 → TLS; after that it answers every line with `250 secure <line>`. */
async function starttlsServer(): Promise<number> {
  spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/CN=mail.test', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir });
  const context = createSecureContext({ cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) });
  const server = createServer((plain: Socket) => {
    plain.on('error', () => {});
    plain.write('220 mail.test ESMTP\r\n');
    let buffered = '';
    const onPlain = (d: Buffer) => {
      buffered += d.toString('latin1');
      if (!buffered.includes('STARTTLS\r\n')) return;
      plain.off('data', onPlain);
      plain.write('220 Ready to start TLS\r\n', () => {
        const tls = new TLSSocket(plain, { isServer: true, secureContext: context });
        tls.on('error', () => {});
        let lines = '';
        tls.on('data', (chunk: Buffer) => {
          lines += chunk.toString('latin1');
          let at: number;
          while ((at = lines.indexOf('\r\n')) >= 0) {
            tls.write(`250 secure ${lines.slice(0, at)}\r\n`);
            lines = lines.slice(at + 2);
          }
        });
      });
    };
    plain.on('data', onPlain);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function logText(h: ReturnType<typeof host>, conversationId: string): Promise<string> {
  const page = await h.call('traffic:page', { conversationId, limit: 100, full: true });
  return page.chunks.map((c) => Buffer.from(c.data, 'base64').toString('latin1')).join('');
}

describe.runIf(hasOpenssl)('STARTTLS', () => {
  it('banner, STARTTLS, 220, then TLS on the same connection and the same log', async () => {
    const port = await starttlsServer();
    const h = host();
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port });
    const up = await waitFor(() => (h.connection(endpointId).state === 'established' ? h.connection(endpointId) : undefined), 'established');
    const conversationId = up.conversationId as string;
    await waitFor(async () => (await logText(h, conversationId)).includes('ESMTP'), 'the banner');
    await h.call('conversation:send', { conversationId, data: b64('STARTTLS\r\n') });
    await waitFor(async () => (await logText(h, conversationId)).includes('220 Ready'), 'go ahead');

    await h.call('tcp:start-tls', { endpointId, tls: { verify: false } });
    expect(h.conversation(conversationId).tls).toMatchObject({ version: 'TLSv1.3', chain: [{ subject: 'CN=mail.test' }], problem: { kind: 'self-signed' } });
    await h.call('conversation:send', { conversationId, data: b64('EHLO sockscope\r\n') });
    await waitFor(async () => (await logText(h, conversationId)).includes('250 secure EHLO sockscope'), 'a reply over TLS');
    expect(h.connection(endpointId).timeline.some((t) => t.call === 'SSL_connect()')).toBe(true);
    expect((await h.fail('tcp:start-tls', { endpointId, tls: {} })).message).toMatch(/already speaks TLS/);
  });

  it('with verification on, an untrusted certificate ends the conversation with the reason', async () => {
    const port = await starttlsServer();
    const h = host();
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port });
    const up = await waitFor(() => (h.connection(endpointId).state === 'established' ? h.connection(endpointId) : undefined), 'established');
    const conversationId = up.conversationId as string;
    await h.call('conversation:send', { conversationId, data: b64('STARTTLS\r\n') });
    await waitFor(async () => (await logText(h, conversationId)).includes('220 Ready'), 'go ahead');
    await h.call('tcp:start-tls', { endpointId, tls: {} });
    const closed = await waitFor(() => (h.connection(endpointId).state === 'closed' ? h.connection(endpointId) : undefined), 'closed');
    expect(closed.error).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect((await h.call('app:info', {})).name).toBe('Sockscope');
  });
});
