/** `connect`: one TCP or Unix stream connection; stdin lines are sent, what arrives is printed. */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { ConnectionSnapshot } from '../../shared/endpoints';
import { formatSockAddr } from '../../shared/primitives';
import type { TlsClientOptions } from '../../shared/tls';
import { err, errOnce, EXIT, out, parseDuration, parsePort, untilInterrupted, UsageError } from '../cli-io';
import type { CliEngine } from '../engine-port';
import { trafficPrinter } from '../traffic-printer';

export async function connect(engine: CliEngine, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      path: { type: 'string' },
      timeout: { type: 'string' },
      crlf: { type: 'boolean', default: false },
      tls: { type: 'boolean', default: false },
      insecure: { type: 'boolean', default: false },
      servername: { type: 'string' },
      cafile: { type: 'string' },
      alpn: { type: 'string' },
    },
  });
  if (values.path === undefined && values.host === undefined) throw new UsageError('give --host and --port, or --path');
  const timeoutMs = values.timeout !== undefined ? parseDuration(values.timeout, '--timeout') : undefined;
  const request = values.path !== undefined ? { path: values.path } : { host: values.host as string, port: parsePort(values.port) };
  const tls = tlsOptions(values);
  const printer = trafficPrinter(out, errOnce);
  // The connection's own snapshots, as they change: connected, then closed (both directions done).
  let latest: ConnectionSnapshot | null = null;
  let endpointId: string | null = null;
  let wake: () => void = () => undefined;
  await engine.onEvent((e) => {
    printer.handle(e);
    if (e.type === 'endpoint:changed' && e.endpoint.kind === 'tcp-connection' && e.endpoint.id === endpointId) {
      latest = e.endpoint;
      wake();
    }
  });
  const interrupted = untilInterrupted(engine);
  endpointId = (await engine.call('tcp:connect', { ...request, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(tls ? { tls } : {}) })).endpointId;
  const until = async (done: (c: ConnectionSnapshot) => boolean): Promise<ConnectionSnapshot | null> => {
    for (;;) {
      const c: ConnectionSnapshot | null = latest;
      if (c && done(c)) return c;
      const stop = await Promise.race([new Promise<boolean>((r) => (wake = () => r(false))), interrupted.done.then(() => true)]);
      if (stop) return null;
    }
  };
  // Until connected or failed (the engine's own connect timeout bounds this).
  const c = await until((s) => s.conversationId !== null || s.state === 'closed');
  if (!c) return EXIT.ok;
  if (c.conversationId === null) {
    errOnce(`sockscope: ${c.error ? `${c.error.code}: ${c.error.message}` : 'could not connect'}`);
    await engine.shutdown();
    return EXIT.failed;
  }
  const conversationId = c.conversationId;
  if (c.remote) out(`connected ${formatSockAddr(c.remote)}`);
  const session = (await engine.call('app:snapshot', {})).conversations.find((x) => x.id === conversationId)?.tls;
  if (session) err(`tls ${session.version} ${session.cipher}${session.alpn ? ` alpn ${session.alpn}` : ''}${session.verified ? ' verified' : ' NOT verified'}${session.chain[0] ? ` subject "${session.chain[0].subject}" sha256 ${session.chain[0].sha256}` : ''}`);

  const lines = createInterface({ input: process.stdin });
  const ending = values.crlf ? '\r\n' : '\n';
  lines.on('line', (line) => {
    engine.call('conversation:send', { conversationId, data: Buffer.from(line + ending).toString('base64') }).catch((e: unknown) => err(`sockscope: ${e instanceof Error ? e.message : String(e)}`));
  });
  lines.on('close', () => {
    engine.call('conversation:shutdown', { conversationId }).catch(() => undefined);
  });
  // Ends when the connection is closed (both sides done), or on Ctrl-C.
  await until((s) => s.state === 'closed');
  lines.close();
  await engine.shutdown();
  return EXIT.ok;
}

/** `--tls [--insecure] [--servername N] [--cafile F] [--alpn a,b]`, as curl and openssl s_client name them. */
function tlsOptions(values: { tls?: boolean; insecure?: boolean; servername?: string; cafile?: string; alpn?: string }): TlsClientOptions | null {
  const wanted = values.tls || values.insecure || values.servername !== undefined || values.cafile !== undefined || values.alpn !== undefined;
  if (!wanted) return null;
  if (!values.tls) throw new UsageError('--insecure, --servername, --cafile and --alpn go with --tls');
  return {
    verify: !values.insecure,
    ...(values.servername ? { serverName: values.servername } : {}),
    ...(values.cafile ? { caFile: values.cafile } : {}),
    ...(values.alpn ? { alpn: values.alpn.split(',').map((p) => p.trim()).filter(Boolean) } : {}),
  };
}
