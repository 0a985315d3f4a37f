import { SESSION_UI_LIMITS } from '../../../shared/session-state';
import type { Slice } from './slice';

export type View = 'endpoints' | 'system-sockets';
export type CreationForm = 'listener' | 'connection' | 'udp' | null;
/** `system` follows the OS (prefers-color-scheme); the others override it (renderer/src/theme/). */
export type ThemeChoice = 'system' | 'light' | 'dark';

/** What a new-connection form should start with (e.g. "connect to this" from System sockets). */
export interface FormPreset {
  host?: string;
  port?: string;
  bindAddress?: string;
}

export interface UiSlice {
  view: View;
  form: CreationForm;
  formPreset: FormPreset | null;
  /** Per listener: which client's conversation is shown. */
  selectedClient: Record<string, string>;
  /** The endpoint whose workspace the main pane shows (only that one is rendered). */
  selectedEndpointId: string | null;
  /** Per endpoint: the side panel's tab (`calls`, `charts`, `behaviour`, `recording`, `saved`…). */
  workspaceTab: Record<string, string>;
  /** The workspace's side panel (socket calls, charts, behaviour, recording) is shown. */
  sidePanelOpen: boolean;
  /** Panels a person collapsed, by name (`clients:<listener id>`: a listener's clients in the sidebar); newest last. */
  collapsedPanels: string[];
  /** How every Traffic log shows bytes; kept across endpoints, like a terminal's settings. */
  trafficView: TrafficViewSettings;
  /** Per conversation: `Clear view` hid the chunks up to and including this sequence number. */
  trafficClearedThrough: Record<string, number>;
  theme: ThemeChoice;
  setTheme(theme: ThemeChoice): void;
  setView(view: View): void;
  openForm(form: CreationForm, preset?: FormPreset): void;
  selectClient(listenerId: string, conversationId: string): void;
  selectEndpoint(id: string | null): void;
  /** Shows an endpoint's workspace (after creating it, or from System sockets): selects it, shows the Endpoints view. */
  focusEndpoint(id: string | null): void;
  setWorkspaceTab(endpointId: string, tab: string): void;
  setSidePanelOpen(open: boolean): void;
  setPanelCollapsed(name: string, collapsed: boolean): void;
  setTrafficView(patch: Partial<TrafficViewSettings>): void;
  clearTrafficView(conversationId: string, throughSeq: number): void;
}

export type TrafficViewMode = 'chunks' | 'lines' | 'hex';
export type TrafficTimeMode = 'absolute' | 'relative' | 'delta';
export interface TrafficViewSettings {
  mode: TrafficViewMode;
  decoding: 'utf-8' | 'latin1';
  time: TrafficTimeMode;
}

/** As many as the session keeps (shared/session-state.ts): the oldest are forgotten first. */
const MAX_COLLAPSED_PANELS = SESSION_UI_LIMITS.collapsedPanels;

export const createUiSlice: Slice<UiSlice> = (set) => ({
  view: 'endpoints',
  form: null,
  formPreset: null,
  selectedClient: {},
  selectedEndpointId: null,
  workspaceTab: {},
  sidePanelOpen: true,
  collapsedPanels: [],
  trafficView: { mode: 'chunks', decoding: 'utf-8', time: 'absolute' },
  trafficClearedThrough: {},
  theme: 'system',
  setTheme: (theme) => set({ theme }),
  setView: (view) => set({ view }),
  openForm: (form, preset) => set((s) => ({ form, formPreset: preset ?? null, view: form ? 'endpoints' : s.view })),
  selectClient: (listenerId, conversationId) =>
    set((s) => ({ selectedClient: { ...s.selectedClient, [listenerId]: conversationId } })),
  selectEndpoint: (selectedEndpointId) => set({ selectedEndpointId }),
  focusEndpoint: (id) => set(id ? { selectedEndpointId: id, view: 'endpoints' } : {}),
  setWorkspaceTab: (endpointId, tab) => set((s) => ({ workspaceTab: { ...s.workspaceTab, [endpointId]: tab } })),
  setSidePanelOpen: (sidePanelOpen) => set({ sidePanelOpen }),
  setPanelCollapsed: (name, collapsed) =>
    set((s) => {
      const others = s.collapsedPanels.filter((n) => n !== name);
      return { collapsedPanels: collapsed ? [...others, name].slice(-MAX_COLLAPSED_PANELS) : others };
    }),
  setTrafficView: (patch) => set((s) => ({ trafficView: { ...s.trafficView, ...patch } })),
  clearTrafficView: (conversationId, throughSeq) =>
    set((s) => ({ trafficClearedThrough: { ...s.trafficClearedThrough, [conversationId]: throughSeq } })),
});
