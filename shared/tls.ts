/**
 * TLS as the contract carries it: what a person asks for (client and listener options) and what the
 * engine saw (the negotiated session and the peer's chain, each certificate made readable).
 */
import { z } from 'zod';

export const TLS_LIMITS = {
  alpnProtocols: 16,
  alpnProtocolBytes: 255,
  serverNameChars: 253,
  filePathChars: 4096,
  passphraseChars: 1024,
  /** Certificate, key, CA or PKCS#12 files: real ones are a few KiB; a CA bundle is under 1 MiB. */
  fileBytes: 4 * 1024 * 1024,
  /** Certificates kept of a peer's chain (real chains have 2–4). */
  chainLength: 10,
  /** A key log is a few hundred bytes per connection; more than this is a runaway. */
  keyLogBytes: 1024 * 1024,
} as const;

export const TlsVersion = z.enum(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
export type TlsVersion = z.infer<typeof TlsVersion>;

const FilePath = z.string().min(1).max(TLS_LIMITS.filePathChars);
const AlpnProtocol = z
  .string()
  .min(1)
  .refine((p) => new TextEncoder().encode(p).length <= TLS_LIMITS.alpnProtocolBytes, `an ALPN protocol name is at most ${TLS_LIMITS.alpnProtocolBytes} bytes`);

/** A client certificate for mutual TLS: PEM certificate + key files, or one PKCS#12 file. */
export const ClientIdentity = z.union([
  z.strictObject({ certFile: FilePath, keyFile: FilePath, passphrase: z.string().max(TLS_LIMITS.passphraseChars).optional() }),
  z.strictObject({ pfxFile: FilePath, passphrase: z.string().max(TLS_LIMITS.passphraseChars).optional() }),
]);
export type ClientIdentity = z.infer<typeof ClientIdentity>;

const versionRange = {
  minVersion: TlsVersion.optional(),
  maxVersion: TlsVersion.optional(),
};
const versionOrder = (v: TlsVersion) => TlsVersion.options.indexOf(v);
const rangeIsOrdered = (o: { minVersion?: TlsVersion; maxVersion?: TlsVersion }) =>
  !o.minVersion || !o.maxVersion || versionOrder(o.minVersion) <= versionOrder(o.maxVersion);

export const TlsClientOptions = z
  .strictObject({
    /** SNI and the name the certificate must carry; defaults to the host when it is a name, none for an address. */
    serverName: z.string().min(1).max(TLS_LIMITS.serverNameChars).optional(),
    alpn: z.array(AlpnProtocol).max(TLS_LIMITS.alpnProtocols).optional(),
    ...versionRange,
    /** Off only by a person's choice: the UI shows a warning on such a connection. */
    verify: z.boolean().default(true),
    /** Trust these CAs (PEM) instead of the system store. */
    caFile: FilePath.optional(),
    identity: ClientIdentity.optional(),
  })
  .refine(rangeIsOrdered, 'minVersion is above maxVersion');
export type TlsClientOptions = z.input<typeof TlsClientOptions>;

const TlsServerFields = z.strictObject({
    /** PEM files; without them the listener uses a self-signed certificate Sockscope makes and keeps. */
    certFile: FilePath.optional(),
    keyFile: FilePath.optional(),
    passphrase: z.string().max(TLS_LIMITS.passphraseChars).optional(),
    alpn: z.array(AlpnProtocol).max(TLS_LIMITS.alpnProtocols).optional(),
    ...versionRange,
    /** `optional`: ask for one; `required`: refuse clients without a certificate the CA file trusts. */
    clientCertificates: z.enum(['none', 'optional', 'required']).default('none'),
    /** CAs that client certificates are checked against. */
    clientCaFile: FilePath.optional(),
});
/**
 * Client options as snapshots and the session file show them: a key's passphrase is never sent to a
 * UI or written to disk (a person types it again after a restart).
 */
export function clientOptionsWithoutSecrets<T extends { identity?: ClientIdentity }>(options: T): T {
  if (!options.identity?.passphrase) return options;
  const { passphrase: _secret, ...identity } = options.identity;
  return { ...options, identity };
}

export const TlsServerOptions = TlsServerFields
  .refine(rangeIsOrdered, 'minVersion is above maxVersion')
  .refine((o) => (o.certFile === undefined) === (o.keyFile === undefined), 'give both certFile and keyFile, or neither (self-signed)')
  .refine((o) => o.clientCertificates !== 'required' || o.clientCaFile !== undefined, 'required client certificates need clientCaFile');
export type TlsServerOptions = z.input<typeof TlsServerOptions>;

export const CertificateInfo = z.strictObject({
  subject: z.string(),
  issuer: z.string(),
  /** `DNS:example.com`, `IP Address:127.0.0.1`, … as OpenSSL writes them. */
  subjectAltNames: z.array(z.string()),
  serialNumber: z.string(),
  validFrom: z.number(),
  validTo: z.number(),
  /** Whole days until `validTo` (negative once expired), at the time the chain was read. */
  daysLeft: z.number().int(),
  keyType: z.string(),
  /** RSA modulus bits, or the curve's size for EC keys; null when unknown. */
  keyBits: z.number().int().nullable(),
  /** The EC curve (`P-256`), null for other keys. */
  curve: z.string().nullable(),
  signatureAlgorithm: z.string(),
  /** `AB:CD:…`, as `openssl x509 -fingerprint -sha256` prints it. */
  sha256: z.string(),
  selfSigned: z.boolean(),
  isCa: z.boolean(),
  pem: z.string(),
});
export type CertificateInfo = z.infer<typeof CertificateInfo>;

/** Why the peer's certificate was not trusted, in plain words, naming the certificate at fault. */
export const TlsVerifyProblem = z.strictObject({
  /** OpenSSL's / Node's code: `DEPTH_ZERO_SELF_SIGNED_CERT`, `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`, … */
  code: z.string(),
  kind: z.enum(['self-signed', 'expired', 'not-yet-valid', 'hostname-mismatch', 'unknown-ca', 'incomplete-chain', 'other']),
  message: z.string(),
  advice: z.string(),
  /** Index in `chain` of the certificate at fault (0: the server's own), null when none is. */
  certificateIndex: z.number().int().min(0).nullable(),
});
export type TlsVerifyProblem = z.infer<typeof TlsVerifyProblem>;

export const TlsSessionInfo = z.strictObject({
  version: z.string(),
  cipher: z.string(),
  /** The IANA name (`TLS_AES_256_GCM_SHA384`); OpenSSL's name is `cipher`. */
  cipherStandardName: z.string().nullable(),
  alpn: z.string().nullable(),
  resumed: z.boolean(),
  serverName: z.string().nullable(),
  /** Did the chain verify (against the system store or the CA file), hostname included. */
  verified: z.boolean(),
  /** Set when verification was on and it failed, or when it was off and would have failed. */
  problem: TlsVerifyProblem.nullable(),
  verifyEnabled: z.boolean(),
  /** The peer's certificates, its own first; empty when it sent none (a client without one). */
  chain: z.array(CertificateInfo).max(TLS_LIMITS.chainLength),
  handshakeMs: z.number(),
});
export type TlsSessionInfo = z.infer<typeof TlsSessionInfo>;

/** A listener's TLS as its snapshot shows it: what it was asked for (never the passphrase) and its certificate. */
export const ListenerTls = z.strictObject({
  options: TlsServerFields.omit({ passphrase: true }),
  /** The SHA-256 fingerprint of the listener's certificate; null until it listens. */
  fingerprint: z.string().nullable(),
  selfSigned: z.boolean(),
  /** The listener's certificate (PEM), for a client to trust or pin. */
  certificatePem: z.string().nullable(),
});
export type ListenerTls = z.infer<typeof ListenerTls>;

/** A TLS conversation's session, with bytes on the wire beside the plaintext counted in `stats`. */
export const ConversationTls = TlsSessionInfo.extend({
  wireBytesIn: z.number(),
  wireBytesOut: z.number(),
  /** Lines of secrets kept for the key log export (SSLKEYLOGFILE). */
  keyLogLines: z.number().int().min(0),
});
export type ConversationTls = z.infer<typeof ConversationTls>;
