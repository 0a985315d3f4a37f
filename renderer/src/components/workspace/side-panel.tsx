import { useId, type KeyboardEvent, type ReactNode } from 'react';
import { useStore } from '../../store/store';

export interface PanelTab {
  id: string;
  label: string;
  /** Rendered only while its tab is shown: panels out of sight do no work. */
  render(): ReactNode;
}

/**
 * The workspace's side panel: the socket-call timeline, charts, behaviour, recording and saved
 * messages, one tab at a time (the choice is kept per endpoint), beside the conversation. Hidden
 * altogether with the header's `Panel` button, when the traffic log wants the whole width.
 */
export function SidePanel({ endpointId, tabs }: { endpointId: string; tabs: readonly PanelTab[] }) {
  const chosen = useStore((s) => s.workspaceTab[endpointId]);
  const setTab = useStore((s) => s.setWorkspaceTab);
  const base = useId();
  const active = tabs.find((t) => t.id === chosen) ?? tabs[0];
  if (!active) return null;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const at = tabs.indexOf(active);
    const next = tabs[(at + (e.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length] as PanelTab;
    setTab(endpointId, next.id);
    document.getElementById(`${base}-tab-${next.id}`)?.focus();
  };

  return (
    <aside className="side-panel" aria-label="Endpoint details">
      <div role="tablist" aria-label="Endpoint details" className="side-tabs" onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button
            key={t.id}
            id={`${base}-tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={t === active}
            aria-controls={`${base}-panel`}
            tabIndex={t === active ? 0 : -1}
            onClick={() => setTab(endpointId, t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id={`${base}-panel`} role="tabpanel" aria-labelledby={`${base}-tab-${active.id}`} className="side-body">
        {active.render()}
      </div>
    </aside>
  );
}
