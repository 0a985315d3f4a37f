import { useState, type FormEvent } from 'react';
import { parseHostField, parsePortField } from '../../lib/validate-fields';
import { useStore } from '../../store/store';
import { AddressPresets } from './address-presets';
import { behaviourOf, BehaviourFields, DEFAULT_BEHAVIOUR, type BehaviourErrors } from './behaviour-fields';
import { Checkbox, Select, TextField } from './fields';
import { FormFooter, useCreateEndpoint } from './use-submit';

type SocketType = 'auto' | 'udp4' | 'udp6';

export function UdpForm({ onDone }: { onDone(): void }) {
  const [bindAddress, setBindAddress] = useState('127.0.0.1');
  const [port, setPort] = useState('0');
  const [type, setType] = useState<SocketType>('auto');
  const [reuseAddr, setReuseAddr] = useState(false);
  const [ipv6Only, setIpv6Only] = useState(false);
  const [behaviourDraft, setBehaviourDraft] = useState(DEFAULT_BEHAVIOUR);
  const [behaviourErrors, setBehaviourErrors] = useState<BehaviourErrors>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, formError, create } = useCreateEndpoint(onDone);
  const bindUdp = useStore((s) => s.bindUdp);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const h = parseHostField(bindAddress, 'bind address');
    const p = parsePortField(port, { allowEmptyAsZero: true });
    if ('error' in h) errs.bindAddress = h.error;
    if ('error' in p) errs.port = p.error;
    const b = behaviourOf(behaviourDraft, false);
    setBehaviourErrors('errors' in b ? b.errors : {});
    setErrors(errs);
    if (!('value' in h) || !('value' in p) || !('behaviour' in b)) return;
    void create({ value: p.value, proto: 'udp', onError: (port) => setErrors({ port }) }, () =>
      bindUdp({
        bindAddress: h.value,
        port: p.value,
        reuseAddr,
        ipv6Only,
        behaviour: b.behaviour,
        ...(type === 'auto' ? {} : { type }),
      }),
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <div className="row">
        <TextField label="Bind address" value={bindAddress} onChange={setBindAddress} error={errors.bindAddress} />
        <AddressPresets onPick={setBindAddress} />
        <TextField label="Port" value={port} onChange={setPort} error={errors.port} className="narrow" hint="0 = any free port; or a service name (ntp)" />
      </div>
      <fieldset className="row behaviour">
        <legend>What it does with datagrams</legend>
        <BehaviourFields draft={behaviourDraft} onChange={setBehaviourDraft} allowBanner={false} errors={behaviourErrors} />
      </fieldset>
      <details className="options">
        <summary>Options</summary>
        <div className="row">
          <Select
            label="Socket type"
            value={type}
            onChange={setType}
            options={[
              { value: 'auto', label: 'From the address' },
              { value: 'udp4', label: 'udp4 (IPv4)' },
              { value: 'udp6', label: 'udp6 (IPv6)' },
            ]}
          />
          <Checkbox label="Reuse address (SO_REUSEADDR)" checked={reuseAddr} onChange={setReuseAddr} />
          <Checkbox label="IPv6 only" checked={ipv6Only} onChange={setIpv6Only} />
        </div>
      </details>
      <FormFooter error={formError} busy={busy} submitLabel="Bind" />
    </form>
  );
}
