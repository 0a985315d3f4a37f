/**
 * TLS settings in the connection and listener dialogs: a `TLS` checkbox and, once on, what
 * `openssl s_client` / `s_server` users expect to set (SNI, verification, ALPN, versions, CA and
 * certificate files). Files are paths on the machine that runs the engine (it reads them, never
 * following a symbolic link); a key's passphrase is sent once and never shown or saved.
 */
import type { TlsClientOptions, TlsServerOptions, TlsVersion } from '../../../../shared/tls';
import { Checkbox, Select, TextField } from '../forms/fields';

type VersionChoice = '' | TlsVersion;
const VERSIONS: readonly { value: VersionChoice; label: string }[] = [
  { value: '', label: 'Default' },
  { value: 'TLSv1.2', label: 'TLS 1.2' },
  { value: 'TLSv1.3', label: 'TLS 1.3' },
  { value: 'TLSv1.1', label: 'TLS 1.1' },
  { value: 'TLSv1', label: 'TLS 1.0' },
];

export interface TlsClientDraft {
  enabled: boolean;
  serverName: string;
  verify: boolean;
  alpn: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A PKCS#12 (.p12/.pfx) file instead of certificate + key files. */
  pfxFile: string;
  passphrase: string;
  minVersion: VersionChoice;
  maxVersion: VersionChoice;
}

export const DEFAULT_TLS_CLIENT: TlsClientDraft = {
  enabled: false,
  serverName: '',
  verify: true,
  alpn: '',
  caFile: '',
  certFile: '',
  keyFile: '',
  pfxFile: '',
  passphrase: '',
  minVersion: '',
  maxVersion: '',
};

const alpnList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);

const versions = (d: { minVersion: VersionChoice; maxVersion: VersionChoice }) => ({
  ...(d.minVersion ? { minVersion: d.minVersion } : {}),
  ...(d.maxVersion ? { maxVersion: d.maxVersion } : {}),
});

/** The request's `tls`, or the field errors that keep the dialog open. */
export function tlsClientOf(d: TlsClientDraft): { tls: TlsClientOptions | undefined } | { errors: Record<string, string> } {
  if (!d.enabled) return { tls: undefined };
  const errors: Record<string, string> = {};
  if ((d.certFile.trim() === '') !== (d.keyFile.trim() === '')) errors.tlsKey = 'A client certificate needs both its certificate file and its key file.';
  if (d.pfxFile.trim() && (d.certFile.trim() || d.keyFile.trim())) errors.tlsKey = 'Give a PKCS#12 file or certificate and key files, not both.';
  if (d.serverName.trim().length > 253) errors.serverName = 'A server name is at most 253 characters.';
  if (Object.keys(errors).length > 0) return { errors };
  const passphrase = d.passphrase ? { passphrase: d.passphrase } : {};
  const identity = d.pfxFile.trim()
    ? { identity: { pfxFile: d.pfxFile.trim(), ...passphrase } }
    : d.certFile.trim()
      ? { identity: { certFile: d.certFile.trim(), keyFile: d.keyFile.trim(), ...passphrase } }
      : {};
  return {
    tls: {
      verify: d.verify,
      ...(d.serverName.trim() ? { serverName: d.serverName.trim() } : {}),
      ...(alpnList(d.alpn).length > 0 ? { alpn: alpnList(d.alpn) } : {}),
      ...(d.caFile.trim() ? { caFile: d.caFile.trim() } : {}),
      ...identity,
      ...versions(d),
    },
  };
}

export function TlsClientFields({ draft, onChange, errors, host }: { draft: TlsClientDraft; onChange(d: TlsClientDraft): void; errors: Record<string, string>; host: string }) {
  const set = <K extends keyof TlsClientDraft>(key: K) => (value: TlsClientDraft[K]) => onChange({ ...draft, [key]: value });
  return (
    <fieldset className="tls-fields">
      <legend className="sr-only">TLS</legend>
      <Checkbox label="TLS" checked={draft.enabled} onChange={set('enabled')} title="Speak TLS right after connecting, as openssl s_client does" />
      {draft.enabled && (
        <>
          <div className="row">
            <TextField label="Server name (SNI)" value={draft.serverName} onChange={set('serverName')} error={errors.serverName} placeholder={/^[\d.]+$|:/.test(host.trim()) ? 'none for an address' : host.trim() || 'the host name'} />
            <Checkbox label="Verify certificate" checked={draft.verify} onChange={set('verify')} title="Check the chain against the system's CAs (or the CA file) and the name" />
            <TextField label="ALPN" value={draft.alpn} onChange={set('alpn')} className="narrow" placeholder="h2, http/1.1" />
          </div>
          {!draft.verify && (
            <p className="warning" role="note">
              Without verification, anyone between you and the server can read and change this connection. Sockscope still shows the certificate and why it would not be trusted.
            </p>
          )}
          <details className="options">
            <summary>TLS options</summary>
            <div className="row">
              <TextField label="CA file" value={draft.caFile} onChange={set('caFile')} placeholder="system store" hint="PEM, on the engine's machine" />
              <Select label="Minimum version" value={draft.minVersion} options={VERSIONS} onChange={set('minVersion')} />
              <Select label="Maximum version" value={draft.maxVersion} options={VERSIONS} onChange={set('maxVersion')} />
            </div>
            <div className="row">
              <TextField label="Client certificate file" value={draft.certFile} onChange={set('certFile')} placeholder="none" error={errors.tlsKey} />
              <TextField label="Client key file" value={draft.keyFile} onChange={set('keyFile')} placeholder="none" />
              <TextField label="Client PKCS#12 file" value={draft.pfxFile} onChange={set('pfxFile')} placeholder="or a .p12 / .pfx" />
              <TextField label="Key passphrase" value={draft.passphrase} onChange={set('passphrase')} type="password" className="narrow" hint="never saved" />
            </div>
          </details>
        </>
      )}
    </fieldset>
  );
}

export interface TlsServerDraft {
  enabled: boolean;
  certFile: string;
  keyFile: string;
  alpn: string;
  clientCertificates: 'none' | 'optional' | 'required';
  clientCaFile: string;
  minVersion: VersionChoice;
  maxVersion: VersionChoice;
}

export const DEFAULT_TLS_SERVER: TlsServerDraft = {
  enabled: false,
  certFile: '',
  keyFile: '',
  alpn: '',
  clientCertificates: 'none',
  clientCaFile: '',
  minVersion: '',
  maxVersion: '',
};

export function tlsServerOf(d: TlsServerDraft): { tls: TlsServerOptions | undefined } | { errors: Record<string, string> } {
  if (!d.enabled) return { tls: undefined };
  const errors: Record<string, string> = {};
  if ((d.certFile.trim() === '') !== (d.keyFile.trim() === '')) errors.tlsCert = 'Give both the certificate file and the key file, or neither for a self-signed certificate.';
  if (d.clientCertificates === 'required' && d.clientCaFile.trim() === '') errors.clientCa = 'Required client certificates are checked against a CA file: name it.';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    tls: {
      ...(d.certFile.trim() ? { certFile: d.certFile.trim(), keyFile: d.keyFile.trim() } : {}),
      ...(alpnList(d.alpn).length > 0 ? { alpn: alpnList(d.alpn) } : {}),
      clientCertificates: d.clientCertificates,
      ...(d.clientCaFile.trim() ? { clientCaFile: d.clientCaFile.trim() } : {}),
      ...versions(d),
    },
  };
}

const CLIENT_CERTS = [
  { value: 'none', label: 'Not asked for' },
  { value: 'optional', label: 'Asked for (optional)' },
  { value: 'required', label: 'Required' },
] as const;

export function TlsServerFields({ draft, onChange, errors }: { draft: TlsServerDraft; onChange(d: TlsServerDraft): void; errors: Record<string, string> }) {
  const set = <K extends keyof TlsServerDraft>(key: K) => (value: TlsServerDraft[K]) => onChange({ ...draft, [key]: value });
  return (
    <fieldset className="tls-fields">
      <legend className="sr-only">TLS</legend>
      <Checkbox label="TLS" checked={draft.enabled} onChange={set('enabled')} title="Each client speaks TLS, as to openssl s_server" />
      {draft.enabled && (
        <>
          <div className="row">
            <TextField label="Certificate file" value={draft.certFile} onChange={set('certFile')} error={errors.tlsCert} placeholder="self-signed by Sockscope" />
            <TextField label="Key file" value={draft.keyFile} onChange={set('keyFile')} placeholder="self-signed by Sockscope" />
          </div>
          {draft.certFile.trim() === '' && <p className="hint">Without files, Sockscope makes a certificate for this listener’s names and keeps it (same fingerprint after a restart).</p>}
          <details className="options">
            <summary>TLS options</summary>
            <div className="row">
              <Select label="Client certificates" value={draft.clientCertificates} options={CLIENT_CERTS} onChange={set('clientCertificates')} />
              <TextField label="Client CA file" value={draft.clientCaFile} onChange={set('clientCaFile')} error={errors.clientCa} placeholder="none" />
              <TextField label="ALPN" value={draft.alpn} onChange={set('alpn')} className="narrow" placeholder="h2, http/1.1" />
              <Select label="Minimum version" value={draft.minVersion} options={VERSIONS} onChange={set('minVersion')} />
              <Select label="Maximum version" value={draft.maxVersion} options={VERSIONS} onChange={set('maxVersion')} />
            </div>
          </details>
        </>
      )}
    </fieldset>
  );
}
