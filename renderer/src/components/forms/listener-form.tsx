import { useState, type FormEvent } from 'react';
import type { CommandRequest } from '../../../../shared/contract';
import { parseHostField, parsePortField } from '../../lib/validate-fields';
import { useStore } from '../../store/store';
import { DEFAULT_EXEC, execOf, ExecFields, isLoopbackText } from '../exec/exec-fields';
import { AddressPresets } from './address-presets';
import { behaviourOf, BehaviourFields, DEFAULT_BEHAVIOUR, type BehaviourErrors } from './behaviour-fields';
import { DEFAULT_TLS_SERVER, tlsServerOf, TlsServerFields } from '../tls/tls-fields';
import { Checkbox, TextField } from './fields';
import { FormFooter, useCreateEndpoint } from './use-submit';

type Transport = 'inet' | 'unix';

export function ListenerForm({ onDone }: { onDone(): void }) {
  const preset = useStore((s) => s.formPreset);
  const [transport, setTransport] = useState<Transport>('inet');
  const [bindAddress, setBindAddress] = useState(preset?.bindAddress ?? '127.0.0.1');
  const [port, setPort] = useState(preset?.port ?? '0');
  const [path, setPath] = useState('');
  const [backlog, setBacklog] = useState('511');
  const [ipv6Only, setIpv6Only] = useState(false);
  const [maxClients, setMaxClients] = useState('');
  const [behaviourDraft, setBehaviourDraft] = useState(DEFAULT_BEHAVIOUR);
  const [behaviourErrors, setBehaviourErrors] = useState<BehaviourErrors>({});
  const [runCommand, setRunCommand] = useState(false);
  const [execDraft, setExecDraft] = useState(DEFAULT_EXEC);
  const [execError, setExecError] = useState<string | null>(null);
  const [tlsDraft, setTlsDraft] = useState(DEFAULT_TLS_SERVER);
  const [tlsErrors, setTlsErrors] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, formError, create } = useCreateEndpoint(onDone);
  const openListener = useStore((s) => s.openListener);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const backlogN = Number(backlog);
    if (!Number.isInteger(backlogN) || backlogN < 1 || backlogN > 65535) errs.backlog = 'Backlog is a number from 1 to 65535.';
    const maxN = maxClients.trim() === '' ? null : Number(maxClients);
    if (maxN !== null && (!Number.isInteger(maxN) || maxN < 1)) errs.maxClients = 'Max clients is a positive number, or empty for no limit.';
    const b = behaviourOf(behaviourDraft, true);
    setBehaviourErrors('errors' in b ? b.errors : {});
    // With errors the request is never sent; manual only fills its place.
    const behaviour = 'behaviour' in b ? b.behaviour : { mode: 'manual' as const };
    const execChoice = runCommand ? execOf(execDraft, transport === 'inet' && !isLoopbackText(bindAddress)) : null;
    setExecError(execChoice && 'error' in execChoice ? execChoice.error : null);
    const exec = execChoice && 'exec' in execChoice ? { exec: execChoice.exec } : {};
    const t = tlsServerOf(tlsDraft);
    setTlsErrors('errors' in t ? t.errors : {});
    const tls = 'tls' in t && t.tls ? { tls: t.tls } : {};
    let request: CommandRequest<'tcp:listen'>;
    if (transport === 'unix') {
      if (path.trim() === '') errs.path = 'Enter a socket path.';
      request = { path: path.trim(), backlog: backlogN, maxClients: maxN, behaviour, ...exec, ...tls };
    } else {
      const host = parseHostField(bindAddress, 'bind address');
      const p = parsePortField(port, { allowEmptyAsZero: true });
      if ('error' in host) errs.bindAddress = host.error;
      if ('error' in p) errs.port = p.error;
      request = {
        bindAddress: 'value' in host ? host.value : '',
        port: 'value' in p ? p.value : 0,
        backlog: backlogN,
        ipv6Only,
        maxClients: maxN,
        behaviour,
        ...exec,
        ...tls,
      };
    }
    setErrors(errs);
    if (Object.keys(errs).length > 0 || 'errors' in b || (execChoice && 'error' in execChoice) || 'errors' in t) return;
    void create({ value: 'port' in request ? request.port : undefined, proto: 'tcp', onError: (port) => setErrors({ port }) }, () => openListener(request));
  };

  return (
    <form onSubmit={submit} noValidate>
      <fieldset className="row">
        <legend className="sr-only">Socket type</legend>
        <Checkbox label="Unix domain socket" checked={transport === 'unix'} onChange={(v) => setTransport(v ? 'unix' : 'inet')} />
      </fieldset>
      {transport === 'inet' ? (
        <div className="row">
          <TextField label="Bind address" value={bindAddress} onChange={setBindAddress} error={errors.bindAddress} placeholder="0.0.0.0, ::, 127.0.0.1…" />
          <AddressPresets onPick={setBindAddress} />
          <TextField label="Port" value={port} onChange={setPort} error={errors.port} className="narrow" hint="0 = any free port; or a service name (whois)" />
        </div>
      ) : (
        <div className="row">
          <TextField label="Path" value={path} onChange={setPath} error={errors.path} placeholder="/tmp/sockscope.sock" />
        </div>
      )}
      <TlsServerFields draft={tlsDraft} onChange={setTlsDraft} errors={tlsErrors} />
      <fieldset className="row behaviour">
        <legend>What it does with clients</legend>
        <BehaviourFields draft={behaviourDraft} onChange={setBehaviourDraft} allowBanner errors={behaviourErrors} runCommand={{ chosen: runCommand, onChoose: setRunCommand }} />
        {runCommand && <ExecFields draft={execDraft} onChange={setExecDraft} remote={transport === 'inet' && !isLoopbackText(bindAddress)} error={execError} />}
      </fieldset>
      <details className="options">
        <summary>Options</summary>
        <div className="row">
          <TextField label="Backlog" value={backlog} onChange={setBacklog} error={errors.backlog} className="narrow" inputMode="numeric" />
          <TextField label="Max clients" value={maxClients} onChange={setMaxClients} error={errors.maxClients} className="narrow" placeholder="no limit" />
          {transport === 'inet' && <Checkbox label="IPv6 only (for ::)" checked={ipv6Only} onChange={setIpv6Only} />}
        </div>
      </details>
      <FormFooter error={formError} busy={busy} submitLabel="Listen" />
    </form>
  );
}
