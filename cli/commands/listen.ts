/** `listen` and `serve`: a TCP listener (or, for `serve --udp`, a UDP endpoint) printing its traffic. */
import { parseArgs } from 'node:util';
import { formatSockAddr } from '../../shared/primitives';
import type { RuleSet } from '../../shared/rules';
import { CommandError } from '../../engine/command-error';
import { loadRulesFile, ruleSetOf } from '../../engine/rules/rules-file';
import { err, errOnce, out, parsePort, untilInterrupted, UsageError } from '../cli-io';
import type { CliEngine } from '../engine-port';
import type { TlsServerOptions } from '../../shared/tls';
import { passphrase, refusePassphraseArgument, SHARED_TLS_FLAGS, sharedTlsFlagsGiven, versionRange, type SharedTlsValues } from '../tls-flags';
import { trafficPrinter } from '../traffic-printer';

async function readRules(path: string): Promise<RuleSet> {
  try {
    return ruleSetOf(await loadRulesFile(path)) as RuleSet;
  } catch (e) {
    // A file that cannot be read or does not parse is bad input (exit 2), said as the loader says it.
    if (e instanceof CommandError) throw new UsageError(e.message);
    throw e;
  }
}

export async function listen(engine: CliEngine, argv: string[], serveRules?: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: serveRules === undefined ? false : true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      rules: { type: 'string' },
      echo: { type: 'boolean', default: false },
      udp: { type: 'boolean', default: false },
      tls: { type: 'boolean', default: false },
      cert: { type: 'string' },
      key: { type: 'string' },
      'client-cert': { type: 'string' },
      'client-ca': { type: 'string' },
      ...SHARED_TLS_FLAGS,
    },
  });
  refusePassphraseArgument(values);
  if (!values.tls && (values.cert !== undefined || values.key !== undefined || values['client-cert'] !== undefined || values['client-ca'] !== undefined || sharedTlsFlagsGiven(values))) {
    throw new UsageError('--cert, --key, --client-cert, --client-ca, --tls-min, --tls-max and --pass-file go with --tls');
  }
  if (values.tls && values.udp) throw new UsageError('TLS runs over TCP, not UDP');
  const tls = values.tls ? { tls: await serverTlsOptions(values) } : {};
  const rulesPath = serveRules ?? values.rules;
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.udp && serveRules === undefined) throw new UsageError('--udp is for serve; use the udp command for a plain UDP endpoint');
  const rules = rulesPath !== undefined ? await readRules(rulesPath) : undefined;
  const port = values.port === undefined && serveRules !== undefined ? 0 : parsePort(values.port);
  const printer = trafficPrinter(out, errOnce);
  await engine.onEvent((e) => printer.handle(e));
  const behaviour = values.echo ? { behaviour: { mode: 'echo' as const } } : {};
  const interrupted = untilInterrupted(engine);

  if (values.udp) {
    const { endpointId } = await engine.call('udp:bind', { bindAddress: values.host, port, ...(rules ? { rules } : {}) });
    return announce(engine, endpointId, 'bound', interrupted.done);
  }
  const { endpointId } = await engine.call('tcp:listen', { bindAddress: values.host, port, ...(rules ? { rules } : {}), ...behaviour, ...tls });
  return announce(engine, endpointId, 'listening', interrupted.done);
}

/** `--client-cert request|require`, as OpenSSL's `-verify` (ask) and `-Verify` (insist) do. */
const CLIENT_CERT_MODES: Record<string, 'optional' | 'required'> = { request: 'optional', require: 'required' };

/** `--tls [--cert C --key K [--pass-file F]] [--client-cert request|require --client-ca CA] [--tls-min V] [--tls-max V]`. */
async function serverTlsOptions(values: SharedTlsValues & { cert?: string; key?: string; 'client-cert'?: string; 'client-ca'?: string }): Promise<TlsServerOptions> {
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('give both --cert and --key, or neither (a self-signed certificate)');
  if (values['pass-file'] !== undefined && values.key === undefined) throw new UsageError('--pass-file is the passphrase of --key: give --cert and --key');
  const modeText = values['client-cert'];
  const mode = modeText !== undefined && Object.hasOwn(CLIENT_CERT_MODES, modeText) ? CLIENT_CERT_MODES[modeText] : undefined;
  if (modeText !== undefined && !mode) throw new UsageError(`--client-cert: "${modeText}" is not request or require`);
  if (values['client-ca'] !== undefined && !mode) throw new UsageError('--client-ca goes with --client-cert request|require');
  if (mode === 'required' && values['client-ca'] === undefined) throw new UsageError('--client-cert require needs --client-ca FILE (the CAs client certificates are checked against)');
  const secret = values.key !== undefined ? await passphrase(values['pass-file']) : undefined;
  return {
    ...(values.cert !== undefined ? { certFile: values.cert, keyFile: values.key as string } : {}),
    ...(secret !== undefined ? { passphrase: secret } : {}),
    ...(mode ? { clientCertificates: mode } : {}),
    ...(values['client-ca'] !== undefined ? { clientCaFile: values['client-ca'] } : {}),
    ...versionRange(values),
  };
}

/** Prints `listening HOST:PORT` (the first stdout line, once bound), or the bind error (exit 1). */
async function announce(engine: CliEngine, endpointId: string, word: string, done: Promise<number>): Promise<number> {
  const snap = await engine.call('app:snapshot', {});
  const e = snap.endpoints.find((x) => x.id === endpointId);
  if (!e || !e.local || e.error || e.state === 'closed') {
    errOnce(`sockscope: ${e?.error ? `${e.error.code}: ${e.error.message}` : 'could not open the endpoint'}`);
    await engine.shutdown();
    return 1;
  }
  out(`${word} ${formatSockAddr(e.local)}`);
  if (e.kind === 'tcp-listener' && e.tls?.fingerprint) err(`tls certificate sha256 ${e.tls.fingerprint}${e.tls.selfSigned ? ' (self-signed by Sockscope)' : ''}`);
  return done;
}
