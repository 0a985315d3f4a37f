/**
 * A TLS stream's session, the way `openssl s_client` and `curl -v` report it: version, cipher,
 * ALPN, SNI, resumption, whether the peer was trusted (and if not, why, naming the certificate),
 * bytes on the wire beside the plaintext counters, then the peer's chain. Everything here is text
 * from the engine, rendered as text.
 */
import type { ListenerSnapshot } from '../../../../shared/endpoints';
import type { CertificateInfo, TlsSessionInfo, TlsVerifyProblem } from '../../../../shared/tls';
import { formatBytes } from '../../lib/format';
import { downloadBlob, fileName } from '../../lib/download';
import { useStore } from '../../store/store';

export function TlsSession({
  tls,
  conversationId,
  wire,
  role,
}: {
  tls: TlsSessionInfo;
  conversationId: string | null;
  /** Bytes on the wire and key log lines, for a live stream (absent for a failed handshake). */
  wire?: { in: number; out: number; keyLogLines: number };
  role: 'client' | 'accepted';
}) {
  const fetchKeyLog = useStore((s) => s.fetchKeyLog);
  const peer = role === 'client' ? 'server' : 'client';
  const saveKeyLog = async () => {
    if (!conversationId) return;
    const text = await fetchKeyLog(conversationId);
    if (text !== null) downloadBlob(fileName(conversationId, 'sslkeylog', 'log'), text, 'text/plain');
  };
  return (
    <section role="group" aria-label="TLS" className="tls-session">
      <div className="tls-line">
        <strong>TLS</strong>
        <span className="chip">{tls.version}</span>
        <span className="chip" title={tls.cipherStandardName ?? undefined}>
          {tls.cipher}
        </span>
        {tls.alpn && <span className="chip">ALPN {tls.alpn}</span>}
        {tls.serverName && <span className="muted">SNI {tls.serverName}</span>}
        {tls.resumed && <span className="muted">session resumed</span>}
        <Trust tls={tls} peer={peer} />
        {wire && (
          <span className="muted">
            on the wire {formatBytes(wire.in)} in / {formatBytes(wire.out)} out
          </span>
        )}
        <div className="spacer" />
        {wire && conversationId && (
          <button type="button" className="inline-action" onClick={() => void saveKeyLog()} disabled={wire.keyLogLines === 0} title="SSLKEYLOGFILE format: Wireshark → TLS → (Pre)-Master-Secret log filename">
            Save key log
          </button>
        )}
      </div>
      {tls.problem && <ProblemLine problem={tls.problem} kept={!tls.verifyEnabled && wire !== undefined} />}
      <CertificateChain chain={tls.chain} faultIndex={tls.problem?.certificateIndex ?? null} peer={peer} />
    </section>
  );
}

function Trust({ tls, peer }: { tls: TlsSessionInfo; peer: string }) {
  if (tls.verified) return <span className="trust ok">✓ {peer} certificate trusted</span>;
  if (tls.chain.length === 0) return <span className="muted">no {peer} certificate</span>;
  if (!tls.verifyEnabled) return <span className="trust warn">⚠ not verified (verification off)</span>;
  return <span className="trust bad">✗ not trusted</span>;
}

/** Why the peer is not trusted; on a connection kept with verification off, as a warning of what was accepted. */
function ProblemLine({ problem, kept }: { problem: TlsVerifyProblem; kept: boolean }) {
  return (
    <p className={kept ? 'tls-problem kept' : 'tls-problem'}>
      {kept && <span>Accepted without verification, although </span>}
      <strong>{problem.code}</strong> — {problem.message} {!kept && <span className="muted">{problem.advice}</span>}
    </p>
  );
}

const DAY_MS = 86_400_000;

export function CertificateChain({ chain, faultIndex, peer }: { chain: readonly CertificateInfo[]; faultIndex: number | null; peer: string }) {
  if (chain.length === 0) return null;
  return (
    <ol className="cert-chain" aria-label={`Certificates the ${peer} sent`}>
      {chain.map((c, i) => (
        <li key={c.sha256} className={i === faultIndex ? 'at-fault' : undefined}>
          <div className="cert-head">
            <span className="cert-subject">{c.subject || '(no subject)'}</span>
            {i === faultIndex && <span className="trust bad"> ← at fault</span>}
            <span className="muted"> · SHA-256 </span>
            <code className="fingerprint">{c.sha256}</code>
          </div>
          <details>
            <summary>Details</summary>
            <dl className="cert-details">
              <dt>Issuer</dt>
              <dd>{c.selfSigned ? `${c.issuer} (self-signed)` : c.issuer}</dd>
              <dt>Names</dt>
              <dd>{c.subjectAltNames.length > 0 ? c.subjectAltNames.join(', ') : 'none (subjectAltName missing)'}</dd>
              <dt>Valid</dt>
              <dd>
                {day(c.validFrom)} to {day(c.validTo)} <span className={c.daysLeft < 0 ? 'trust bad' : c.daysLeft < 30 ? 'trust warn' : 'muted'}>({daysText(c)})</span>
              </dd>
              <dt>Key</dt>
              <dd>
                {c.keyType}
                {c.keyBits ? ` ${c.keyBits} bits` : ''}
                {c.curve ? ` (${c.curve})` : ''}
              </dd>
              <dt>Signature</dt>
              <dd>{c.signatureAlgorithm}</dd>
              <dt>Serial</dt>
              <dd>
                <code>{c.serialNumber}</code>
              </dd>
            </dl>
            <button type="button" className="inline-action" onClick={() => downloadBlob(pemName(c, i), c.pem, 'application/x-pem-file')}>
              Save PEM
            </button>
          </details>
        </li>
      ))}
    </ol>
  );
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function daysText(c: CertificateInfo): string {
  if (c.validFrom > Date.now()) return `not valid for ${Math.ceil((c.validFrom - Date.now()) / DAY_MS)} more days`;
  if (c.daysLeft < 0) return `expired ${-c.daysLeft} days ago`;
  return `${c.daysLeft} days left`;
}

function pemName(c: CertificateInfo, i: number): string {
  const cn = /(?:^|, )CN=([^,]+)/.exec(c.subject)?.[1] ?? `certificate-${i + 1}`;
  return `${cn.replace(/[^A-Za-z0-9._-]/g, '_')}.pem`;
}

/** A TLS listener's own certificate: its fingerprint (for clients to pin) and the PEM to give them. */
export function ListenerTlsLine({ tls }: { tls: NonNullable<ListenerSnapshot['tls']> }) {
  return (
    <section role="group" aria-label="TLS" className="tls-session">
      <div className="tls-line">
        <strong>TLS</strong>
        <span className="muted">{tls.selfSigned ? 'self-signed certificate made by Sockscope' : 'certificate from file'}</span>
        {tls.fingerprint && (
          <>
            <span className="muted"> · SHA-256 </span>
            <code className="fingerprint">{tls.fingerprint}</code>
          </>
        )}
        {tls.options.clientCertificates !== 'none' && <span className="muted">client certificates {tls.options.clientCertificates}</span>}
        <div className="spacer" />
        {tls.certificatePem && (
          <button type="button" className="inline-action" onClick={() => downloadBlob('sockscope-listener.pem', tls.certificatePem ?? '', 'application/x-pem-file')} title="Give this file to a client as its CA file (curl --cacert, openssl -CAfile)">
            Save certificate
          </button>
        )}
      </div>
    </section>
  );
}
