/**
 * Happy Eyeballs by Node's own autoSelectFamily, fed exactly the addresses we resolved and showed.
 * What Node 20+ does (lib/net.js `lookupAndConnectMultiple`): it interleaves the families, starting
 * with the family of the first address, and tries ONE address at a time; an attempt with no answer
 * within autoSelectFamilyAttemptTimeout is closed (Node records ETIMEDOUT) and the next one started;
 * the last address gets no attempt timeout. It reports each step with the socket events
 * `connectionAttempt`, `connectionAttemptFailed` and `connectionAttemptTimeout` (v20.12+) and lists
 * what it tried in `socket.autoSelectFamilyAttemptedAddresses`; total failure is an AggregateError
 * with one error per address. Attempts and timeline are built from those, nothing else.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, Socket } from 'node:net';
import type { ConnectAttempt } from '../../../shared/endpoints';
import { engineError, errorCodeOf } from '../../errors/explain-error';
import { guarded } from '../../fault-barrier';
import type { ResolvedAddress } from '../../net/resolve-host';
import { inetSockAddr } from '../conversation';
import type { PendingEntry } from '../timeline';
import { socketCall, targetOf, type AttemptRecorder } from './attempt-recorder';
import type { ConnectResult, ConnectRun } from './connect-run';
import { watchConnect } from './watch-connect';

/** Node's autoSelectFamilyAttemptTimeout for Happy Eyeballs (also Node's own default). */
export const HAPPY_EYEBALLS_ATTEMPT_TIMEOUT_MS = 250;

export async function connectHappyEyeballs(
  run: ConnectRun,
  host: string,
  addresses: readonly ResolvedAddress[],
  port: number,
): Promise<ConnectResult> {
  const { recorder, signal, onFault } = run;
  const { timeline } = recorder;
  const attemptTimeoutMs = HAPPY_EYEBALLS_ATTEMPT_TIMEOUT_MS;
  const socket = new Socket({ allowHalfOpen: true });
  const { outcome, abort } = watchConnect(socket, run.timeoutMs, signal, onFault);
  let done = false;
  const live = () => !done && !signal.aborted;
  let current: { record: ConnectAttempt; entry: PendingEntry } | null = null;
  const endCurrent = (result: string, timelineResult: string, ok: boolean, error?: NodeJS.ErrnoException) => {
    const c = current;
    if (!c) return;
    current = null;
    c.entry.settle(timelineResult, ok);
    if (error) recorder.failed(targetOf(c.record.address, c.record.port), error);
    if (!ok) timeline.add('close()');
    recorder.finish(c.record, result);
  };

  socket.on('connectionAttempt', guarded(onFault, 'connect attempt', (ip: string, p: number, family: number) => {
    if (!live()) return;
    const record = recorder.begin(ip, p, family === 6 ? 'IPv6' : 'IPv4');
    timeline.add(socketCall(record.family));
    current = { record, entry: timeline.begin(`connect(${targetOf(ip, p)})`) };
  }));
  socket.on('connectionAttemptFailed', guarded(onFault, 'connect attempt', (_ip: string, _p: number, _family: number, error: Error) => {
    if (!live()) return;
    const code = errorCodeOf(error);
    endCurrent(code, code, false, error as NodeJS.ErrnoException);
  }));
  socket.on('connectionAttemptTimeout', guarded(onFault, 'connect attempt', (ip: string, p: number) => {
    if (!live()) return;
    const error = engineError('ETIMEDOUT', `connect ETIMEDOUT ${targetOf(ip, p)} (no answer within ${attemptTimeoutMs} ms)`);
    error.syscall = 'connect';
    endCurrent('ETIMEDOUT', `ETIMEDOUT (no answer within ${attemptTimeoutMs} ms: Node closed it and tried the next address)`, false, error);
  }));

  const list: LookupAddress[] = addresses.map((a) => ({ address: a.address, family: a.family === 'IPv6' ? 6 : 4 }));
  const lookup = (
    _name: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    // Asynchronous like dns.lookup; no second getaddrinfo: the addresses shown are the ones used.
    process.nextTick(() => (options.all ? callback(null, list) : callback(null, list[0]!.address, list[0]!.family)));
  };
  try {
    socket.connect({ host, port, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: attemptTimeoutMs, lookup });
  } catch (err) {
    abort();
    throw err;
  }

  const result = await outcome;
  done = true;
  addUnreportedAttempts(recorder, socket.autoSelectFamilyAttemptedAddresses ?? [], port);

  if (result.kind === 'aborted') {
    endCurrent('aborted', 'aborted', false);
    return result;
  }
  if (result.kind === 'failed') {
    const code = errorCodeOf(result.error);
    // Still in flight: our own connect timeout (or an error Node gave for the socket as a whole).
    endCurrent(code, code === 'ETIMEDOUT' ? `ETIMEDOUT (no answer within ${run.timeoutMs} ms; gave up)` : code, false, result.error);
    const perAddress = (result.error as Partial<AggregateError>).errors;
    if (Array.isArray(perAddress)) fillFromAggregate(recorder, perAddress as NodeJS.ErrnoException[]);
    socket.destroy();
    if (signal.aborted) return { kind: 'aborted' };
    return { kind: 'failed', error: recorder.summary(port, { target: targetOf(host, port), error: result.error }) };
  }

  if (!current) {
    // No connectionAttempt events on this runtime: the connected address is the last one Node lists.
    const last = recorder.attempts.at(-1);
    if (last?.result === 'attempted') current = { record: last, entry: timeline.begin(`connect(${targetOf(last.address, last.port)})`) };
  }
  endCurrent('ok', `ok (Happy Eyeballs: Node's autoSelectFamily, ${attemptTimeoutMs} ms attempt timeout)`, true);
  if (signal.aborted) {
    socket.destroy();
    return { kind: 'aborted' };
  }
  const remoteHost = socket.remoteAddress ?? '';
  return {
    kind: 'connected',
    socket,
    local: inetSockAddr(socket.localAddress, socket.localPort, socket.localFamily),
    remote: { kind: 'inet', host: remoteHost, port: socket.remotePort ?? port, family: isIP(remoteHost) === 6 ? 'IPv6' : 'IPv4' },
  };
}

/** Addresses Node lists as attempted (`ip:port`) that no event reported: outcome unknown. */
function addUnreportedAttempts(recorder: AttemptRecorder, tried: string[], port: number): void {
  for (const entry of tried.slice(recorder.attempts.length)) {
    const address = entry.slice(0, entry.lastIndexOf(':'));
    const entryPort = Number(entry.slice(entry.lastIndexOf(':') + 1)) || port;
    recorder.begin(address, entryPort, isIP(address) === 6 ? 'IPv6' : 'IPv4', 'attempted');
  }
}

/** Per-address errors of Node's AggregateError for attempts whose outcome no event reported. */
function fillFromAggregate(recorder: AttemptRecorder, errors: NodeJS.ErrnoException[]): void {
  if (recorder.failures.length > 0) return;
  for (const e of errors) {
    const address = (e as { address?: string }).address;
    const ePort = (e as { port?: number }).port;
    const record = recorder.attempts.find((a) => a.result === 'attempted' && a.address === address && a.port === ePort);
    if (record) record.result = errorCodeOf(e);
    if (address !== undefined && ePort !== undefined) recorder.failed(targetOf(address, ePort), e);
  }
}
