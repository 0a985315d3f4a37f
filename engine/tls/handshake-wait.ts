/**
 * Waits for a TLS socket's handshake, on either side: resolves on `secureConnect` (client) or
 * `secure` (server); on an error, a close or the timeout it destroys the TLS socket (which closes
 * the TCP socket under it: never destroy both, see tcp/conversation.ts) and rejects with the reason.
 * Afterwards an 'error' listener stays, so nothing is unhandled until the conversation attaches its own.
 */
import type { TLSSocket } from 'node:tls';
import type { TlsSessionInfo, TlsVerifyProblem } from '../../shared/tls';

/** A handshake that takes longer is a peer that speaks something else, or nothing. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** The handshake did not end in a connection we keep; `info` is set when it got as far as a certificate. */
export class TlsHandshakeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly info: TlsSessionInfo | null,
    readonly problem: TlsVerifyProblem | null,
  ) {
    super(message);
    this.name = 'TlsHandshakeError';
  }
}

export function waitForHandshake(
  tls: TLSSocket,
  done: 'secureConnect' | 'secure',
  explain: { timeout: string; error(err: Error): TlsHandshakeError },
  timeoutMs = HANDSHAKE_TIMEOUT_MS,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new TlsHandshakeError('ETIMEDOUT', explain.timeout, null, null)), timeoutMs);
    const settle = () => {
      clearTimeout(timer);
      tls.off('error', onError);
      tls.off('close', onClose);
      tls.off(done, onDone);
      tls.on('error', () => {});
    };
    const fail = (err: Error) => {
      settle();
      tls.destroy();
      reject(err);
    };
    const onError = (err: Error) => fail(explain.error(err));
    const onDone = () => {
      settle();
      resolve();
    };
    // Destroyed under us (the endpoint closed, the peer vanished): no 'error' may follow.
    const onClose = () => fail(new TlsHandshakeError('ECONNRESET', 'The connection closed during the TLS handshake.', null, null));
    tls.once('error', onError);
    tls.once('close', onClose);
    tls.once(done, onDone);
  });
}

/** What both sides negotiated, as the session info shows it (the rest of it is side-specific). */
export function negotiated(tls: TLSSocket): Pick<TlsSessionInfo, 'version' | 'cipher' | 'cipherStandardName' | 'alpn' | 'resumed'> {
  const cipher = tls.getCipher();
  return {
    version: tls.getProtocol() ?? 'unknown',
    cipher: cipher.name,
    cipherStandardName: cipher.standardName ?? null,
    alpn: typeof tls.alpnProtocol === 'string' ? tls.alpnProtocol : null,
    resumed: tls.isSessionReused(),
  };
}
