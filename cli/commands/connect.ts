/** `connect`: one TCP or Unix stream connection; stdin lines are sent, what arrives is printed. */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { ConnectionSnapshot } from '../../shared/endpoints';
import { formatSockAddr } from '../../shared/primitives';
import type { TlsClientOptions } from '../../shared/tls';
import { err, errOnce, EXIT, out, parseDuration, untilInterrupted, UsageError } from '../cli-io';
import type { CliEngine } from '../engine-port';
import { streamTarget, TARGET_OPTIONS } from '../target-options';
import { passphrase, refusePassphraseArgument, SHARED_TLS_FLAGS, sharedTlsFlagsGiven, versionRange, type SharedTlsValues } from '../tls-flags';
import { trafficPrinter, visibleLine } from '../traffic-printer';

export async function connect(engine: CliEngine, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...TARGET_OPTIONS,
      timeout: { type: 'string' },
      crlf: { type: 'boolean', default: false },
      tls: { type: 'boolean', default: false },
      insecure: { type: 'boolean', default: false },
      servername: { type: 'string' },
      cafile: { type: 'string' },
      alpn: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      pfx: { type: 'string' },
      ...SHARED_TLS_FLAGS,
    },
  });
  refusePassphraseArgument(values);
  const target = streamTarget(values);
  const timeoutMs = values.timeout !== undefined ? parseDuration(values.timeout, '--timeout') : undefined;
  const tls = await tlsOptions(values);
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
  endpointId = (await engine.call('tcp:connect', { ...target, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(tls ? { tls } : {}) })).endpointId;
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
  if (session) err(`tls ${session.version} ${session.cipher}${session.alpn ? ` alpn ${session.alpn}` : ''}${session.verified ? ' verified' : ' NOT verified'}${session.chain[0] ? ` subject "${visibleLine(session.chain[0].subject)}" sha256 ${session.chain[0].sha256}` : ''} handshake ${session.handshakeMs} ms`);

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

type ConnectTlsValues = SharedTlsValues & { tls?: boolean; insecure?: boolean; servername?: string; cafile?: string; alpn?: string; cert?: string; key?: string; pfx?: string };

/**
 * `--tls [--insecure] [--servername N] [--cafile F] [--alpn a,b] [--tls-min V] [--tls-max V]
 * [--cert C --key K | --pfx P] [--pass-file F]`, as curl and openssl s_client name them.
 */
async function tlsOptions(values: ConnectTlsValues): Promise<TlsClientOptions | null> {
  const identityGiven = values.cert !== undefined || values.key !== undefined || values.pfx !== undefined;
  const wanted = values.tls || values.insecure || values.servername !== undefined || values.cafile !== undefined || values.alpn !== undefined || identityGiven || sharedTlsFlagsGiven(values);
  if (!wanted) return null;
  if (!values.tls) throw new UsageError('--insecure, --servername, --cafile, --alpn, --tls-min, --tls-max, --cert, --key, --pfx and --pass-file go with --tls');
  if (values.pfx !== undefined && (values.cert !== undefined || values.key !== undefined)) throw new UsageError('give a client certificate either as --cert and --key (PEM) or as --pfx (PKCS#12), not both');
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('a client certificate needs both --cert and --key');
  if (values['pass-file'] !== undefined && !identityGiven) throw new UsageError('--pass-file is the passphrase of --key or --pfx: give one of them');
  const secret = identityGiven ? await passphrase(values['pass-file']) : undefined;
  const withSecret = secret !== undefined ? { passphrase: secret } : {};
  const identity =
    values.pfx !== undefined
      ? { identity: { pfxFile: values.pfx, ...withSecret } }
      : values.cert !== undefined
        ? { identity: { certFile: values.cert, keyFile: values.key as string, ...withSecret } }
        : {};
  return {
    verify: !values.insecure,
    ...(values.servername ? { serverName: values.servername } : {}),
    ...(values.cafile ? { caFile: values.cafile } : {}),
    ...(values.alpn ? { alpn: values.alpn.split(',').map((p) => p.trim()).filter(Boolean) } : {}),
    ...versionRange(values),
    ...identity,
  };
}
