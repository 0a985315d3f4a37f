/**
 * TLS as a server on sockets a listener accepted: the listener keeps accepting plain TCP (so the
 * socket-call timeline, counters and limits stay as they are) and each accepted socket is wrapped
 * before its conversation starts. The certificate comes from files a person chose, or is one
 * Sockscope made for the listener's names and keeps (self-signed-store.ts).
 */
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { TLS_LIMITS, TlsServerOptions, type TlsSessionInfo } from '../../shared/tls';
import { readFileNoFollow } from '../files/read-no-follow';
import { describeChain } from './certificate-info';
import { HandshakeClock, roundMs, sinceHello } from './handshake-clock';
import { KeyLog } from './key-log';
import { HANDSHAKE_TIMEOUT_MS, negotiated, TlsHandshakeError, waitForHandshake } from './handshake-wait';
import type { HandshakeSteps, SecuredSocket } from './tls-client';
import { verifyProblem } from './verify-problem';

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
}

/** A listener's TLS, ready to wrap accepted sockets. */
export interface ServerTls {
  context: SecureContext;
  options: ReturnType<typeof TlsServerOptions.parse>;
  /** The listener's own certificate's SHA-256 fingerprint, shown so a client can pin it. */
  fingerprint: string;
  selfSigned: boolean;
  /** The certificate clients are shown (PEM), for a person to give a client as its CA file or pin. */
  certificatePem: string;
}

/**
 * Builds the secure context once per listener. `selfSigned` makes (or finds) the certificate when
 * no files are given.
 */
export async function prepareServerTls(requested: TlsServerOptions, selfSigned: () => Promise<ServerCertificate>): Promise<ServerTls> {
  const options = TlsServerOptions.parse(requested);
  const read = (path: string) => readFileNoFollow(path, TLS_LIMITS.fileBytes);
  const own = options.certFile && options.keyFile ? { cert: await read(options.certFile), key: await read(options.keyFile) } : null;
  const made = own ? null : await selfSigned();
  const cert = own?.cert ?? Buffer.from(made?.certPem ?? '');
  const context = createSecureContext({
    cert,
    key: own?.key ?? Buffer.from(made?.keyPem ?? ''),
    passphrase: options.passphrase,
    ca: options.clientCaFile ? await read(options.clientCaFile) : undefined,
    minVersion: options.minVersion,
    maxVersion: options.maxVersion,
  });
  const leaf = new X509Certificate(firstPemAsDer(cert));
  return { context, options, fingerprint: leaf.fingerprint256, selfSigned: made !== null, certificatePem: leaf.toString() };
}

export async function secureAccepted(plain: Socket, tlsConfig: ServerTls, steps: HandshakeSteps): Promise<SecuredSocket> {
  const { options } = tlsConfig;
  const keyLog = new KeyLog();
  const clock = new HandshakeClock();
  const first = await clientHello(plain);
  const helloAt = clock.elapsed();
  const after = `${first.bytes} bytes, ${helloAt.toFixed(1)} ms after accept()`;
  if (first.handshakeRecord) steps.note('ClientHello received', after);
  else steps.note('first bytes received', `${after}: not a TLS handshake record`, false);
  const since = (at: number) => sinceHello(at - helloAt);
  const tls = new TLSSocket(plain, {
    isServer: true,
    secureContext: tlsConfig.context,
    requestCert: options.clientCertificates !== 'none',
    rejectUnauthorized: options.clientCertificates === 'required',
    ALPNProtocols: options.alpn,
  });
  tls.on('keylog', (line: Buffer) => {
    keyLog.add(line);
    clock.secretLogged(line);
  });
  await waitForHandshake(
    tls,
    'secure',
    {
      timeout: `The client sent no TLS handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s.`,
      error: (err) => {
        const code = (err as NodeJS.ErrnoException).code ?? 'ETLS';
        const plainText = code === 'ERR_SSL_HTTP_REQUEST' || code === 'ERR_SSL_WRONG_VERSION_NUMBER';
        return new TlsHandshakeError(code, plainText ? 'The client spoke plain text to a TLS listener.' : `The TLS handshake with the client failed: ${err.message}`, null, null);
      },
    },
    // One bound for the whole handshake, the wait for the ClientHello included.
    Math.max(1, HANDSHAKE_TIMEOUT_MS - helloAt),
  );

  const secureAt = clock.elapsed();
  const now = steps.now();
  const chain = describeChain(tls.getPeerCertificate(true), now);
  const asked = options.clientCertificates !== 'none';
  const verifyCode = asked && chain.length > 0 ? clientVerifyError(tls) : null;
  const problem = verifyCode !== null ? verifyProblem(verifyCode, chain, '', now) : null;
  const info: TlsSessionInfo = {
    ...negotiated(tls),
    serverName: typeof (tls as { servername?: unknown }).servername === 'string' ? ((tls as { servername?: string }).servername ?? null) : null,
    verified: asked && chain.length > 0 && verifyCode === null,
    problem,
    verifyEnabled: options.clientCertificates === 'required',
    chain,
    handshakeMs: roundMs(secureAt - helloAt),
  };
  // TLS 1.2 derives no secret when the server's flight goes out: it leaves in reply to the ClientHello.
  const flightAt = info.version === 'TLSv1.3' ? clock.serverFlight() : null;
  steps.note('certificate sent', `${flightAt !== null ? since(flightAt) : 'with the ServerHello'}: SHA-256 ${tlsConfig.fingerprint}${tlsConfig.selfSigned ? ' (self-signed by Sockscope)' : ''}`);
  if (asked) {
    const clientAt = since(clock.lastSecret() ?? secureAt);
    const leaf = chain[0];
    const verdict = !leaf ? 'none sent' : `${leaf.subject}${problem ? `, not trusted: ${problem.message}` : ', trusted'}`;
    steps.note('client certificate', `${clientAt}: ${verdict}`, problem === null);
    if (problem && options.clientCertificates === 'required') {
      tls.destroy(); // closes the TCP socket under it too
      throw new TlsHandshakeError(problem.code, `The client's certificate is not trusted: ${problem.message}`, info, problem);
    }
  }
  steps.note(
    'secure',
    `${since(secureAt)}, handshake done: ${info.version}, ${info.cipher}${info.alpn ? `, ALPN ${info.alpn}` : ''}${info.serverName ? `, SNI ${info.serverName}` : ''}`,
  );
  return { socket: tls, info, keyLog };
}

/**
 * OpenSSL's verdict on the client's chain (against the client CA file), null when it is trusted.
 * Node reads it only for sockets a tls.Server made (its `onServerSocketSecure`, which also refuses
 * an untrusted client when `rejectUnauthorized`): a TLSSocket made here must ask the same handle
 * itself, or a client certificate from any CA would pass. Without that method it fails closed.
 */
function clientVerifyError(tls: TLSSocket): string | null {
  const handle = (tls as unknown as { _handle?: { verifyError?: () => (Error & { code?: string }) | null } })._handle;
  if (typeof handle?.verifyError !== 'function') return 'UNABLE_TO_VERIFY_CLIENT';
  const error = handle.verifyError();
  return error ? (error.code ?? error.message) : null;
}

/** A TLS record's first byte: content type 22, handshake (RFC 8446 §5.1). */
const HANDSHAKE_RECORD = 0x16;

/**
 * Waits for the client's first bytes, its ClientHello: they stay buffered in the socket, where
 * TLSSocket takes them from (Node's own path for data read before wrapping). On a timeout or a
 * close the TCP socket is closed here: there is no TLS socket on it yet.
 */
function clientHello(plain: Socket): Promise<{ bytes: number; handshakeRecord: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new TlsHandshakeError('ETIMEDOUT', `The client sent no TLS handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s.`, null, null)), HANDSHAKE_TIMEOUT_MS);
    const settle = () => {
      clearTimeout(timer);
      plain.off('readable', onReadable);
      plain.off('close', onClose);
    };
    const fail = (err: TlsHandshakeError) => {
      settle();
      plain.destroy();
      reject(err);
    };
    const onReadable = () => {
      const head = plain.read() as Buffer | null;
      if (head === null || head.length === 0) return fail(new TlsHandshakeError('ECONNRESET', 'The client closed the connection before its ClientHello.', null, null));
      settle();
      plain.unshift(head); // TLS reads it from the buffer, first
      resolve({ bytes: head.length, handshakeRecord: head[0] === HANDSHAKE_RECORD });
    };
    const onClose = () => fail(new TlsHandshakeError('ECONNRESET', 'The connection closed before the ClientHello.', null, null));
    plain.on('readable', onReadable);
    plain.once('close', onClose);
  });
}

function firstPemAsDer(pem: Buffer): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem.toString('latin1'));
  return m ? Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64') : pem;
}
