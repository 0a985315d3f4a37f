/** A Unix stream socket: socket(AF_UNIX) → connect(path), a stale socket file told apart from no listener. */
import { Socket } from 'node:net';
import { errorCodeOf, explainError } from '../../errors/explain-error';
import { probeUnixPath, staleSocketError, tooLongDetail, unixPathTooLong } from '../unix-socket';
import type { ConnectResult, ConnectRun } from './connect-run';
import { watchConnect } from './watch-connect';

export async function connectUnix(run: ConnectRun, path: string): Promise<ConnectResult> {
  const { timeline } = run.recorder;
  const tooLong = unixPathTooLong(path);
  if (tooLong) {
    // Refused before socket(): libuv would cut the path short and reach another file.
    timeline.add(`connect(${path})`, 'ENAMETOOLONG (refused before socket())', false);
    return { kind: 'failed', error: { ...explainError(tooLong, { target: path, syscall: 'connect' }), detail: tooLongDetail(path) } };
  }
  timeline.add('socket(AF_UNIX, SOCK_STREAM)');
  const socket = new Socket({ allowHalfOpen: true });
  const { outcome } = watchConnect(socket, run.timeoutMs, run.signal, run.onFault);
  const entry = timeline.begin(`connect(${path})`);
  socket.connect({ path });
  const result = await outcome;
  if (result.kind === 'aborted') {
    entry.settle('aborted', false);
    timeline.add('close()');
    return result;
  }
  if (result.kind === 'failed') {
    const code = errorCodeOf(result.error);
    entry.settle(code, false);
    socket.destroy();
    timeline.add('close()');
    const stale = code === 'ECONNREFUSED' && !run.signal.aborted && (await probeUnixPath(path)) === 'stale';
    if (run.signal.aborted) return { kind: 'aborted' };
    if (stale) return { kind: 'failed', error: { ...explainError(staleSocketError(path), { target: path, syscall: 'connect' }), detail: path } };
    return { kind: 'failed', error: explainError(result.error, { target: path, syscall: 'connect' }) };
  }
  entry.settle('ok', true);
  if (run.signal.aborted) {
    socket.destroy();
    return { kind: 'aborted' };
  }
  return { kind: 'connected', socket, local: { kind: 'unix', path: '' }, remote: { kind: 'unix', path } };
}
