import { useState, type FormEvent } from 'react';
import type { CommandRequest } from '../../../../shared/contract';
import { parseHostField, parsePortField } from '../../lib/validate-fields';
import { useStore } from '../../store/store';
import { RecentHostChips, splitRecent } from '../session/recent-hosts';
import { DEFAULT_TLS_CLIENT, tlsClientOf, TlsClientFields } from '../tls/tls-fields';
import { Checkbox, TextField } from './fields';
import { FormFooter, useCreateEndpoint } from './use-submit';

export function ConnectionForm({ onDone }: { onDone(): void }) {
  const preset = useStore((s) => s.formPreset);
  const [unix, setUnix] = useState(false);
  const [host, setHost] = useState(preset?.host ?? '');
  const [port, setPort] = useState(preset?.port ?? '');
  const [path, setPath] = useState('');
  const [timeout, setTimeoutText] = useState('10');
  const [localAddress, setLocalAddress] = useState('');
  const [localPort, setLocalPort] = useState('');
  const [noDelay, setNoDelay] = useState(true);
  const [keepAlive, setKeepAlive] = useState(false);
  const [happyEyeballs, setHappyEyeballs] = useState(false);
  const [tlsDraft, setTlsDraft] = useState(DEFAULT_TLS_CLIENT);
  const [tlsErrors, setTlsErrors] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, formError, create } = useCreateEndpoint(onDone);
  const openConnection = useStore((s) => s.openConnection);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const timeoutS = Number(timeout);
    if (!(timeoutS >= 0.1 && timeoutS <= 120)) errs.timeout = 'Timeout is 0.1 to 120 seconds.';
    const t = tlsClientOf(tlsDraft);
    setTlsErrors('errors' in t ? t.errors : {});
    const tls = 'tls' in t && t.tls ? { tls: t.tls } : {};
    let request: CommandRequest<'tcp:connect'>;
    if (unix) {
      if (path.trim() === '') errs.path = 'Enter a socket path.';
      request = { path: path.trim(), timeoutMs: Math.round(timeoutS * 1000), ...tls };
    } else {
      const h = parseHostField(host);
      const p = parsePortField(port);
      if ('error' in h) errs.host = h.error;
      if ('error' in p) errs.port = p.error;
      request = {
        host: 'value' in h ? h.value : '',
        port: 'value' in p ? p.value : 0,
        timeoutMs: Math.round(timeoutS * 1000),
        noDelay,
        keepAlive,
        happyEyeballs,
        ...tls,
      };
      if (localAddress.trim()) {
        const la = parseHostField(localAddress, 'local address');
        if ('error' in la) errs.localAddress = la.error;
        else request.localAddress = la.value;
      }
      if (localPort.trim()) {
        const lp = parsePortField(localPort);
        if ('error' in lp || typeof lp.value !== 'number') errs.localPort = 'Local port is a number from 0 to 65535.';
        else request.localPort = lp.value;
      }
    }
    setErrors(errs);
    if (Object.keys(errs).length > 0 || 'errors' in t) return;
    void create({ value: 'port' in request ? request.port : undefined, proto: 'tcp', onError: (port) => setErrors({ port }) }, () => openConnection(request));
  };

  const pickRecent = (entry: string) => {
    const recent = splitRecent(entry);
    if (!recent) return;
    setHost(recent.host);
    setPort(recent.port);
  };

  return (
    <form onSubmit={submit} noValidate>
      <Checkbox label="Unix domain socket" checked={unix} onChange={setUnix} />
      {unix ? (
        <div className="row">
          <TextField label="Path" value={path} onChange={setPath} error={errors.path} placeholder="/tmp/sockscope.sock" />
        </div>
      ) : (
        <div className="row">
          <TextField label="Host" value={host} onChange={setHost} error={errors.host} placeholder="example.org, 127.0.0.1, ::1, fe80::1%eth0" />
          <TextField label="Port" value={port} onChange={setPort} error={errors.port} className="narrow" placeholder="80 or http" />
        </div>
      )}
      {/* Per protocol: TCP hosts for a TCP connection, socket paths for a Unix one (never a UDP peer). */}
      {unix ? <RecentHostChips proto="unix" label="Recent socket paths" pick={setPath} /> : <RecentHostChips proto="tcp" label="Recent hosts" pick={pickRecent} />}
      <TlsClientFields draft={tlsDraft} onChange={setTlsDraft} errors={tlsErrors} host={host} />
      <details className="options">
        <summary>Options</summary>
        <div className="row">
          <TextField label="Timeout (s)" value={timeout} onChange={setTimeoutText} error={errors.timeout} className="narrow" inputMode="decimal" />
          {!unix && (
            <>
              <TextField label="Local address" value={localAddress} onChange={setLocalAddress} error={errors.localAddress} placeholder="any" />
              <TextField label="Local port" value={localPort} onChange={setLocalPort} error={errors.localPort} className="narrow" placeholder="any" />
              <Checkbox label="TCP_NODELAY" checked={noDelay} onChange={setNoDelay} title="Disable Nagle's algorithm: send small writes at once" />
              <Checkbox label="Keep-alive" checked={keepAlive} onChange={setKeepAlive} title="SO_KEEPALIVE: probe an idle connection" />
              <Checkbox
                label="Happy Eyeballs (alternate IPv6/IPv4)"
                checked={happyEyeballs}
                onChange={setHappyEyeballs}
                title="RFC 8305 through Node's autoSelectFamily, when a name resolves to both IPv6 and IPv4: families alternate, and an address with no answer within 250 ms is given up for the next. Off: each address in turn, with the full timeout."
              />
            </>
          )}
        </div>
      </details>
      <FormFooter error={formError} busy={busy} submitLabel="Connect" />
    </form>
  );
}
