import type { ReactNode } from 'react';
import { useStore } from '../../store/store';
import { SidePanel, type PanelTab } from './side-panel';

/** A workspace's body: the conversation (traffic log and composer) with the side panel beside it, when shown. */
export function WorkspaceLayout({ endpointId, tabs, children }: { endpointId: string; tabs: readonly PanelTab[]; children: ReactNode }) {
  const panelOpen = useStore((s) => s.sidePanelOpen);
  return (
    <div className={panelOpen ? 'workspace-body with-panel' : 'workspace-body'}>
      <div className="workspace-main">{children}</div>
      {panelOpen && <SidePanel endpointId={endpointId} tabs={tabs} />}
    </div>
  );
}
