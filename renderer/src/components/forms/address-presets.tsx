import { useId, useMemo } from 'react';
import { useStore } from '../../store/store';
import { addressChoices } from './address-choices';

/** The bind choices a person usually wants, plus each address of each local interface. */
export function AddressPresets({ onPick }: { onPick(address: string): void }) {
  const id = useId();
  // Select the stored object itself: a selector that builds a new array per call (`?? []`) makes
  // React re-render forever (error #185) while there is no app info yet, e.g. with no engine.
  const appInfo = useStore((s) => s.appInfo);
  const choices = useMemo(() => addressChoices(appInfo?.interfaces ?? []), [appInfo]);
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
        {choices.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </select>
    </div>
  );
}
