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
  const started = steps.now();
  const tls = new TLSSocket(plain, {
    isServer: true,
    secureContext: tlsConfig.context,
    requestCert: options.clientCertificates !== 'none',
    rejectUnauthorized: options.clientCertificates === 'required',
    ALPNProtocols: options.alpn,
  });
  tls.on('keylog', (line: Buffer) => keyLog.add(line));
  await waitForHandshake(tls, 'secure', {
    timeout: `The client sent no TLS handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s.`,
    error: (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? 'ETLS';
      const plainText = code === 'ERR_SSL_HTTP_REQUEST' || code === 'ERR_SSL_WRONG_VERSION_NUMBER';
      return new TlsHandshakeError(code, plainText ? 'The client spoke plain text to a TLS listener.' : `The TLS handshake with the client failed: ${err.message}`, null, null);
    },
  });

  const now = steps.now();
  const chain = describeChain(tls.getPeerCertificate(true), now);
  const asked = options.clientCertificates !== 'none';
  const problem = asked && chain.length > 0 && !tls.authorized ? verifyProblem(String(tls.authorizationError ?? 'UNKNOWN'), chain, '', now) : null;
  const info: TlsSessionInfo = {
    ...negotiated(tls),
    serverName: typeof (tls as { servername?: unknown }).servername === 'string' ? ((tls as { servername?: string }).servername ?? null) : null,
    verified: asked && chain.length > 0 && tls.authorized,
    problem,
    verifyEnabled: options.clientCertificates === 'required',
    chain,
    handshakeMs: now - started,
  };
  steps.note(
    'SSL_accept()',
    `${info.version}, ${info.cipher}${info.alpn ? `, ALPN ${info.alpn}` : ''}${info.serverName ? `, SNI ${info.serverName}` : ''}${chain[0] ? `; client certificate ${chain[0].subject}${problem ? ` (not trusted: ${problem.message})` : ''}` : asked ? '; no client certificate' : ''}`,
  );
  return { socket: tls, info, keyLog };
}

function firstPemAsDer(pem: Buffer): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem.toString('latin1'));
  return m ? Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64') : pem;
}
