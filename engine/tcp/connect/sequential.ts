/**
 * Our own address loop: for each address in getaddrinfo's order, socket() → [bind()] → connect()
 * with the full connect timeout, every step recorded, until one connects.
 */
import { isIP, Socket } from 'node:net';
import { errorCodeOf, engineError } from '../../errors/explain-error';
import type { ResolvedAddress } from '../../net/resolve-host';
import { stripBrackets } from '../../net/resolve-host';
import { inetSockAddr } from '../conversation';
import { socketCall, targetOf } from './attempt-recorder';
import type { ConnectResult, ConnectRun } from './connect-run';
import { watchConnect } from './watch-connect';

export interface LocalBind {
  localAddress?: string | undefined;
  localPort?: number | undefined;
}

export async function connectSequential(
  run: ConnectRun,
  host: string,
  addresses: readonly ResolvedAddress[],
  port: number,
  bind: LocalBind,
): Promise<ConnectResult> {
  for (const addr of addresses) {
    if (run.signal.aborted) return { kind: 'aborted' };
    const result = await attempt(run, addr, port, bind);
    if (result) return result;
  }
  if (run.signal.aborted) return { kind: 'aborted' };
  if (run.recorder.failures.length === 0) throw engineError('ENOTFOUND', `no address for ${host}`);
  return { kind: 'failed', error: run.recorder.summary(port, run.recorder.failures[0]!) };
}

/** One address: socket(), optional bind(), connect() with our own timeout. Null: it failed, try the next. */
async function attempt(run: ConnectRun, addr: ResolvedAddress, port: number, bind: LocalBind): Promise<ConnectResult | null> {
  const { recorder, signal } = run;
  const { timeline } = recorder;
  const target = targetOf(addr.address, port);
  const record = recorder.begin(addr.address, port, addr.family);
  const failed = (code: string, error: NodeJS.ErrnoException): null => {
    recorder.finish(record, code);
    recorder.failed(target, error);
    return null;
  };
  timeline.add(socketCall(addr.family));

  const socket = new Socket({ allowHalfOpen: true });
  const { outcome, abort } = watchConnect(socket, run.timeoutMs, signal, run.onFault);
  const local = bind.localAddress !== undefined || bind.localPort !== undefined;
  const localAddress = bind.localAddress !== undefined ? stripBrackets(bind.localAddress) : undefined;
  try {
    if (localAddress !== undefined && !isIP(localAddress.split('%')[0] ?? '')) {
      throw engineError('EINVAL', `local address "${localAddress}" is not an IP address`);
    }
    socket.connect({
      host: addr.address,
      port,
      family: addr.family === 'IPv6' ? 6 : 4,
      autoSelectFamily: false,
      ...(localAddress !== undefined ? { localAddress } : {}),
      ...(bind.localPort !== undefined ? { localPort: bind.localPort } : {}),
    });
  } catch (err) {
    abort();
    timeline.add(local ? 'bind()' : `connect(${target})`, recorder.withNote(errorCodeOf(err)), false);
    return failed(errorCodeOf(err), err as NodeJS.ErrnoException);
  }

  if (local) {
    // Node binds in the tick after connect() is called; a bind failure destroys the socket then.
    await new Promise<void>((r) => setImmediate(r));
    const early = socket.destroyed ? await outcome : null;
    const bindTarget = targetOf(localAddress ?? (addr.family === 'IPv6' ? '::' : '0.0.0.0'), bind.localPort ?? 0);
    if (early?.kind === 'failed' && early.error.syscall === 'bind') {
      timeline.add(`bind(${bindTarget})`, recorder.withNote(errorCodeOf(early.error)), false);
      timeline.add('close()');
      return failed(errorCodeOf(early.error), early.error);
    }
    timeline.add(`bind(${bindTarget})`);
  }

  const entry = timeline.begin(`connect(${target})`);
  const result = await outcome;
  if (result.kind === 'aborted') {
    entry.settle(recorder.withNote('aborted'), false);
    recorder.finish(record, 'aborted');
    timeline.add('close()');
    return { kind: 'aborted' };
  }
  if (result.kind === 'failed') {
    const code = errorCodeOf(result.error);
    entry.settle(recorder.withNote(code === 'ETIMEDOUT' ? `ETIMEDOUT (no answer within ${run.timeoutMs} ms; gave up)` : code), false);
    socket.destroy();
    timeline.add('close()');
    return failed(code, result.error);
  }
  entry.settle(recorder.withNote('ok'), true);
  recorder.finish(record, 'ok');
  if (signal.aborted) {
    socket.destroy();
    return { kind: 'aborted' };
  }
  return {
    kind: 'connected',
    socket,
    local: inetSockAddr(socket.localAddress, socket.localPort, socket.localFamily),
    remote: { kind: 'inet', host: addr.address, port, family: addr.family },
  };
}
