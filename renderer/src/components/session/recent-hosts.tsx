/**
 * Recent hosts, per protocol (a UDP peer is not offered for a TCP connection), as chips that fill
 * host and port at once. (Not a datalist: it would turn the `Host` textbox into a combobox, and the
 * UI contract names it a textbox.)
 */
import type { RecentHostProtocol } from '../../../../shared/session-state';
import { useStore } from '../../store/store';

/** `[::1]:80` → { host: '::1', port: '80' }; a Unix path has no port. */
export function splitRecent(entry: string): { host: string; port: string } | null {
  const m = /^(.*):([^:\]]+)$/.exec(entry);
  if (!m) return null;
  return { host: (m[1] as string).replace(/^\[(.*)\]$/, '$1'), port: m[2] as string };
}

/** Up to `max` recent entries of one protocol as buttons; `pick` receives the entry as stored. */
export function RecentHostChips({ proto, pick, label, max = 8 }: { proto: RecentHostProtocol; pick(entry: string): void; label: string; max?: number }) {
  const entries = useStore((s) => s.recentHosts[proto]);
  if (entries.length === 0) return null;
  return (
    <div className="recent" role="group" aria-label={label}>
      <span className="muted">Recent:</span>
      {entries.slice(0, max).map((h) => (
        <button key={h} type="button" className="chip" onClick={() => pick(h)}>
          {h}
        </button>
      ))}
    </div>
  );
}
