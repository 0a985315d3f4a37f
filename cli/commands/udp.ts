/** `udp`: a UDP endpoint; stdin lines go out as datagrams to --to, datagrams received are printed. */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { err, errOnce, out, parsePort, untilInterrupted, UsageError } from '../cli-io';
import type { CliEngine } from '../engine-port';
import { trafficPrinter } from '../traffic-printer';

function splitHostPort(text: string): { host: string; port: number | string } {
  const m = /^\[([^\]]+)\]:(\S+)$/.exec(text) ?? /^([^:\s]+):(\S+)$/.exec(text);
  if (!m) throw new UsageError(`--to: "${text}" is not HOST:PORT (IPv6 as [ADDR]:PORT)`);
  return { host: m[1] as string, port: parsePort(m[2], '--to port') };
}

export async function udp(engine: CliEngine, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' }, to: { type: 'string' } },
  });
  const to = values.to !== undefined ? splitHostPort(values.to) : null;
  const printer = trafficPrinter(out, errOnce);
  await engine.onEvent((e) => printer.handle(e));
  const interrupted = untilInterrupted(engine);
  const { endpointId } = await engine.call('udp:bind', { bindAddress: values.host, port: parsePort(values.port) });
  const e = (await engine.call('app:snapshot', {})).endpoints.find((x) => x.id === endpointId);
  if (!e || e.kind !== 'udp' || e.state !== 'bound' || !e.local || e.local.kind !== 'inet') {
    errOnce(`sockscope: ${e?.error ? `${e.error.code}: ${e.error.message}` : 'could not bind'}`);
    await engine.shutdown();
    return 1;
  }
  out(`bound ${e.local.host.includes(':') ? `[${e.local.host}]` : e.local.host}:${e.local.port}`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!to) {
      err('sockscope: no destination: give --to HOST:PORT to send');
      return;
    }
    engine.call('udp:send', { endpointId, ...to, data: Buffer.from(line).toString('base64') }).catch((x: unknown) => err(`sockscope: ${x instanceof Error ? x.message : String(x)}`));
  });
  const code = await interrupted.done;
  lines.close();
  return code;
}
