/**
 * TLS as a client over a TCP (or Unix) socket that is already connected: right after connect for
 * a TLS connection, or later for STARTTLS, which is the same step on a conversation that has
 * already spoken plain text. The handshake always runs to its end with OpenSSL's own verdict kept
 * (`rejectUnauthorized: false`), so that a failure can show the certificate at fault; with
 * verification on, an untrusted peer is then refused here, never silently accepted.
 */
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { TLS_LIMITS, TlsClientOptions, type TlsSessionInfo } from '../../shared/tls';
import { readFileNoFollow } from '../files/read-no-follow';
import { describeChain } from './certificate-info';
import { HandshakeClock, roundMs, sinceHello } from './handshake-clock';
import { KeyLog } from './key-log';
import { HANDSHAKE_TIMEOUT_MS, negotiated, TlsHandshakeError, waitForHandshake } from './handshake-wait';
import { verifyProblem } from './verify-problem';

export { TlsHandshakeError } from './handshake-wait';

/** What the socket-call timeline is told as the handshake goes. */
export interface HandshakeSteps {
  note(call: string, result: string, ok?: boolean): void;
  now(): number;
}

export interface SecuredSocket {
  socket: TLSSocket;
  info: TlsSessionInfo;
  keyLog: KeyLog;
}


export async function secureClient(plain: Socket, host: string, requested: TlsClientOptions, steps: HandshakeSteps): Promise<SecuredSocket> {
  const parsed = TlsClientOptions.safeParse(requested);
  if (!parsed.success) {
    plain.destroy(); // refused before TLS: nothing else would close the socket handed to us
    throw new TlsHandshakeError('VALIDATION', parsed.error.issues.map((i) => i.message).join('; '), null, null);
  }
  const options = parsed.data;
  const serverName = options.serverName ?? (isIP(host) === 0 && host !== '' ? host : undefined);
  const expectedName = serverName ?? host;
  const connectOptions: ConnectionOptions = {
    socket: plain,
    servername: serverName,
    ALPNProtocols: options.alpn,
    minVersion: options.minVersion,
    maxVersion: options.maxVersion,
    rejectUnauthorized: false,
    checkServerIdentity: (_name, cert) => checkServerIdentity(expectedName, cert),
    ...(await credentials(options).catch((err: unknown) => {
      plain.destroy(); // no TLS socket on it yet: nothing else will close it
      throw err;
    })),
  };
  const keyLog = new KeyLog();
  const clock = new HandshakeClock();
  const tls = startHandshake(plain, connectOptions);
  tls.on('keylog', (line: Buffer) => {
    keyLog.add(line);
    clock.secretLogged(line);
  });
  steps.note('SSL_connect()', `ClientHello sent${serverName ? ` (SNI ${serverName})` : ''}${options.alpn?.length ? `, ALPN ${options.alpn.join(', ')}` : ''}`);

  await waitForHandshake(tls, 'secureConnect', {
    timeout: `No TLS handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s: the peer may not speak TLS on this port.`,
    error: handshakeError,
  });

  // OpenSSL's verdict on the chain is taken during the handshake and read at its end: its time is the secure time.
  const secureAt = clock.elapsed();
  const serverHello = clock.serverHello();
  if (serverHello !== null) steps.note('ServerHello received', sinceHello(serverHello));
  const at = sinceHello(clock.serverFlight() ?? secureAt);
  const now = steps.now();
  const chain = describeChain(tls.getPeerCertificate(true), now);
  const leaf = chain[0];
  steps.note('certificate received', `${at}: ${leaf ? `${chain.length} certificate${chain.length === 1 ? '' : 's'}: ${leaf.subject}, SHA-256 ${leaf.sha256}` : 'none'}`);
  const problem = tls.authorized ? null : verifyProblem(String(tls.authorizationError ?? 'UNKNOWN'), chain, expectedName, now);
  const info: TlsSessionInfo = {
    ...negotiated(tls),
    serverName: serverName ?? null,
    verified: tls.authorized,
    problem,
    verifyEnabled: options.verify,
    chain,
    handshakeMs: roundMs(secureAt),
  };
  const verifiedAt = sinceHello(secureAt);
  if (problem && options.verify) {
    steps.note('verify certificate', `${verifiedAt}: ${problem.message}`, false);
    tls.destroy();
    throw new TlsHandshakeError(problem.code, `${problem.message} ${problem.advice}`, info, problem);
  }
  steps.note('verify certificate', `${verifiedAt}: ${problem ? `not checked (verification off); it would fail: ${problem.message}` : 'trusted'}`, problem === null);
  steps.note('secure', `${verifiedAt}, handshake done: ${info.version}, ${info.cipher}${info.alpn ? `, ALPN ${info.alpn}` : ''}${info.resumed ? ', session resumed' : ''}`);
  return { socket: tls, info, keyLog };
}

async function credentials(options: ReturnType<typeof TlsClientOptions.parse>): Promise<Partial<ConnectionOptions>> {
  const read = (path: string) => readFileNoFollow(path, TLS_LIMITS.fileBytes);
  const out: Partial<ConnectionOptions> = {};
  if (options.caFile) out.ca = await read(options.caFile);
  const id = options.identity;
  if (id && 'pfxFile' in id) Object.assign(out, { pfx: await read(id.pfxFile), passphrase: id.passphrase });
  else if (id) Object.assign(out, { cert: await read(id.certFile), key: await read(id.keyFile), passphrase: id.passphrase });
  return out;
}

/**
 * tls.connect() reads the client certificate and key at once, and throws there (not as an 'error'
 * event) when a key's passphrase is wrong or a file is not what it should be.
 */
function startHandshake(plain: Socket, connectOptions: ConnectionOptions): TLSSocket {
  try {
    return connect(connectOptions);
  } catch (err) {
    plain.destroy(); // no TLS socket on it: nothing else will close it
    const e = err instanceof Error ? err : new Error(String(err));
    if (/bad decrypt|mac verify failure|PKCS12|BAD_DECRYPT/i.test(`${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`)) {
      throw new TlsHandshakeError((e as NodeJS.ErrnoException).code ?? 'ERR_TLS_CLIENT_KEY', 'The client key could not be read: wrong passphrase, or not a key.', null, null);
    }
    throw new TlsHandshakeError((e as NodeJS.ErrnoException).code ?? 'ERR_TLS_CLIENT_KEY', `The client certificate or key could not be used: ${e.message}`, null, null);
  }
}

/** OpenSSL's handshake failures in words; the code stays for those who know it. */
function handshakeError(err: Error): TlsHandshakeError {
  const code = (err as NodeJS.ErrnoException).code ?? 'ETLS';
  const say = (message: string) => new TlsHandshakeError(code, message, null, null);
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return say('The peer did not answer in TLS: this port probably speaks plain text (try without TLS, or STARTTLS).');
  }
  if (/ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE/.test(code)) {
    return say('The peer and Sockscope have no TLS version in common: widen the minimum/maximum version.');
  }
  if (/CERTIFICATE_REQUIRED/.test(code)) return say('The server requires a client certificate: give one (certificate and key, or PKCS#12).');
  if (/ALERT_HANDSHAKE_FAILURE|NO_SHARED_CIPHER/.test(code)) {
    return say('The peer refused the handshake: no cipher or protocol in common, or it wanted a client certificate.');
  }
  if (/NO_APPLICATION_PROTOCOL/.test(code)) return say('The server supports none of the ALPN protocols offered.');
  if (/BAD_DECRYPT|ERR_OSSL_PKCS12|MAC_VERIFY_FAILURE/.test(code)) return say('The client key could not be read: wrong passphrase, or not a key.');
  if (code === 'ECONNRESET' || /disconnected before secure/.test(err.message)) {
    return say('The peer closed the connection during the TLS handshake: it may not speak TLS here, or it refused us.');
  }
  return say(`The TLS handshake failed: ${err.message}`);
}
