import { useId } from 'react';
import { useStore } from '../../store/store';

/** The bind choices a person usually wants, plus each address of each local interface. */
export function AddressPresets({ onPick }: { onPick(address: string): void }) {
  const id = useId();
  const interfaces = useStore((s) => s.appInfo?.interfaces ?? []);
  const presets = [
    { value: '0.0.0.0', label: '0.0.0.0 — all IPv4 addresses' },
    { value: '::', label: ':: — all IPv6 (and IPv4, dual-stack)' },
    { value: '127.0.0.1', label: '127.0.0.1 — IPv4 loopback' },
    { value: '::1', label: '::1 — IPv6 loopback' },
    ...interfaces.map((i) => {
      const address = i.family === 'IPv6' && i.address.startsWith('fe80:') ? `${i.address}%${i.name}` : i.address;
      return { value: address, label: `${address} — ${i.name}` };
    }),
  ];
  return (
    <div className="field presets">
      <label htmlFor={id}>Address choices</label>
      <select
        id={id}
        value=""
        onChange={(e) => {
          if (e.target.value) onPick(e.target.value);
        }}
      >
        <option value="">Pick an address…</option>
        {presets.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </select>
    </div>
  );
}
