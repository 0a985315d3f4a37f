/**
 * A TCP relay on loopback that holds each chunk one way for a fixed time, as a long path would:
 * a handshake through it takes that much longer per flight, so its timings can be checked
 * against a known delay instead of against "some positive number". Also the one runner of the
 * real TLS tools (openssl s_client, curl) the TLS tests talk to.
 */
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface DelayingRelay {
  port: number;
  close(): Promise<void>;
}

/** Relays 127.0.0.1:<port> to 127.0.0.1:<target>, delaying chunks towards the server and/or the client. */
export async function delayingRelay(target: number, delay: { toServerMs?: number; toClientMs?: number }): Promise<DelayingRelay> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  // The same delay for every chunk (and the FIN after them) keeps their order.
  const pipe = (from: Socket, to: Socket, ms: number) => {
    from.on('data', (chunk: Buffer) => later(ms, () => void (to.destroyed || to.write(chunk))));
    from.on('end', () => later(ms, () => void to.end()));
  };
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => sockets.delete(s));
    }
    pipe(client, upstream, delay.toServerMs ?? 0);
    pipe(upstream, client, delay.toClientMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The `+12.3 ms` of a timeline step, as a number (NaN when the step has none). */
export function stepMs(result: string): number {
  const m = /^\+(\d+(?:\.\d)?) ms/.exec(result);
  return m ? Number(m[1]) : Number.NaN;
}

/** Runs a client; with `until`, stops it once its output shows that text. */
export function runTool(command: string, args: string[], input = '', until?: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (until && out.includes(until)) child.kill();
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}
