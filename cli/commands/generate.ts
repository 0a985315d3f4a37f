/** `generate`: the traffic generator over N new connections or as UDP datagrams, with live rates. */
import { parseArgs } from 'node:util';
import type { GeneratorSnapshot, GeneratorStartRequest } from '../../shared/generator';
import { err, EXIT, out, parseDuration, parseInteger, untilInterrupted, UsageError } from '../cli-io';
import { EngineRefusal, type CliEngine } from '../engine-port';
import { streamTarget, TARGET_OPTIONS, udpTarget } from '../target-options';

const DEFAULT_DURATION_MS = 10_000;

function describe(g: GeneratorSnapshot): string {
  const rate = g.state === 'running' ? `, ${g.messagesPerSecond.toLocaleString('en-US')} msg/s, ${g.bytesPerSecond.toLocaleString('en-US')} B/s` : '';
  return `${g.state}: ${g.messages.toLocaleString('en-US')} messages, ${g.bytes.toLocaleString('en-US')} bytes${rate}, ${g.targets} streams, waited ${g.blockedMs} ms for the peer${g.error ? `; ${g.error}` : ''}`;
}

export async function generate(engine: CliEngine, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...TARGET_OPTIONS,
      udp: { type: 'boolean', default: false },
      connections: { type: 'string', default: '1' },
      message: { type: 'string' },
      hex: { type: 'string' },
      random: { type: 'string' },
      rate: { type: 'string' },
      'bytes-rate': { type: 'string' },
      count: { type: 'string' },
      duration: { type: 'string' },
    },
  });
  const payloads = [values.message, values.hex, values.random].filter((v) => v !== undefined);
  if (payloads.length > 1) throw new UsageError('give one of --message, --hex, --random');
  const payload: GeneratorStartRequest['payload'] =
    values.random !== undefined
      ? { random: parseInteger(values.random, '--random', 1, 1024 * 1024) }
      : values.hex !== undefined
        ? { text: values.hex, hex: true }
        : { text: values.message ?? 'sockscope {{counter}}\n' };
  if (values.rate !== undefined && values['bytes-rate'] !== undefined) throw new UsageError('give --rate or --bytes-rate, not both');
  const rate =
    values.rate !== undefined
      ? { messagesPerSecond: parseInteger(values.rate, '--rate', 1, 10_000_000) }
      : values['bytes-rate'] !== undefined
        ? { bytesPerSecond: parseInteger(values['bytes-rate'], '--bytes-rate', 1, 10 * 1024 ** 3) }
        : undefined;
  const count = values.count !== undefined ? parseInteger(values.count, '--count', 1, 1_000_000_000) : undefined;
  const durationMs = values.duration !== undefined ? parseDuration(values.duration, '--duration') : count === undefined ? DEFAULT_DURATION_MS : undefined;

  let target: GeneratorStartRequest['target'];
  if (values.udp) {
    const peer = udpTarget(values);
    const { endpointId } = await engine.call('udp:bind', { bindAddress: peer.host.includes(':') ? '::' : peer.host.startsWith('127.') ? '127.0.0.1' : '0.0.0.0', port: 0 });
    target = { udpEndpointId: endpointId, ...peer };
  } else {
    target = { connect: streamTarget(values, ['--udp']), connections: parseInteger(values.connections, '--connections', 1, 1000) };
  }

  let id: string | null = null;
  let last: GeneratorSnapshot | null = null;
  let resolveEnd: (g: GeneratorSnapshot) => void = () => undefined;
  const ended = new Promise<GeneratorSnapshot>((r) => (resolveEnd = r));
  let printedAt = 0;
  await engine.onEvent((e) => {
    if (e.type !== 'generator:changed' || (id !== null && e.generator.id !== id)) return;
    last = e.generator;
    if (e.generator.state !== 'running' && e.generator.state !== 'starting') resolveEnd(e.generator);
    else if (Date.now() - printedAt >= 1000) {
      printedAt = Date.now();
      out(describe(e.generator));
    }
  });
  const interrupted = untilInterrupted(engine, async () => {
    if (!id) return;
    const g = await engine.call('generator:stop', { generatorId: id }).catch(() => null);
    if (g) resolveEnd(g);
  });
  try {
    id = (await engine.call('generator:start', { target, payload, ...(rate ? { rate } : {}), ...(count !== undefined ? { count } : {}), ...(durationMs !== undefined ? { durationMs } : {}) })).generatorId;
  } catch (e) {
    if (e instanceof EngineRefusal && e.code === 'VALIDATION') throw new UsageError(e.message);
    if (e instanceof EngineRefusal) {
      err(`sockscope: ${e.message}`);
      await engine.shutdown();
      return EXIT.failed;
    }
    throw e;
  }
  printedAt = Date.now();
  const final = await Promise.race([ended, interrupted.done.then(() => last)]);
  if (final) out(describe(final));
  await engine.shutdown();
  return final?.state === 'failed' ? EXIT.failed : EXIT.ok;
}
