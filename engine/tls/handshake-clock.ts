/**
 * The handshake's timings, as someone reading `curl -v` or a Wireshark capture expects them: each
 * step's time since the ClientHello, on a monotonic clock (the wall clock can jump) to 0.1 ms.
 *
 * Node has no event per handshake message, but OpenSSL hands over each secret (the `keylog`
 * event, synchronously) the moment it derives it, which is the moment a known message was read:
 *  - TLS 1.3 `…_HANDSHAKE_TRAFFIC_SECRET`: the ServerHello (read by the client, made by the server);
 *  - TLS 1.3 `EXPORTER_SECRET`, `…_TRAFFIC_SECRET_0`: the server's Finished (the client has read
 *    the server's certificate by then); on the server the last one is the client's Finished;
 *  - TLS 1.2 `CLIENT_RANDOM`: the client read the server's flight up to ServerHelloDone (its
 *    certificate included); the server read the client's key exchange (after its certificate).
 */
import { performance } from 'node:perf_hooks';

/** A handshake logs at most five secrets; more (a renegotiation) add no step worth timing. */
const MAX_MARKS = 8;

export class HandshakeClock {
  private readonly started = performance.now();
  private readonly marks: { label: string; at: number }[] = [];

  /** Milliseconds since the clock started. */
  elapsed(): number {
    return performance.now() - this.started;
  }

  /** Takes a key log line's time, by its label (its first word). */
  secretLogged(line: Buffer): void {
    if (this.marks.length >= MAX_MARKS) return;
    const space = line.indexOf(0x20);
    this.marks.push({ label: line.subarray(0, space < 0 ? Math.min(line.length, 64) : Math.min(space, 64)).toString('latin1'), at: this.elapsed() });
  }

  /** TLS 1.3's ServerHello; null in TLS 1.2, which derives no secret there. */
  serverHello(): number | null {
    return this.marks.find((m) => isHandshakeSecret(m.label))?.at ?? null;
  }

  /** The first secret past the ServerHello: the server's flight read (client) or written (server, TLS 1.3). */
  serverFlight(): number | null {
    return this.marks.find((m) => !isHandshakeSecret(m.label))?.at ?? null;
  }

  /** The last secret: on the server, the client's last flight (its certificate, if any, and Finished) read. */
  lastSecret(): number | null {
    return this.marks.at(-1)?.at ?? null;
  }
}

const isHandshakeSecret = (label: string) => label.endsWith('_HANDSHAKE_TRAFFIC_SECRET');

/** `+12.3 ms`: a step's time since the ClientHello. */
export function sinceHello(ms: number): string {
  return `+${Math.max(0, ms).toFixed(1)} ms`;
}

/** Milliseconds rounded to 0.1, as TlsSessionInfo keeps them. */
export function roundMs(ms: number): number {
  return Math.round(Math.max(0, ms) * 10) / 10;
}
