import type { Slice } from './slice';

export type View = 'endpoints' | 'system-sockets';
export type CreationForm = 'listener' | 'connection' | 'udp' | null;

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
  /** Workspace to scroll into view (after creation or a click in the sidebar). */
  focusEndpointId: string | null;
  setView(view: View): void;
  openForm(form: CreationForm, preset?: FormPreset): void;
  selectClient(listenerId: string, conversationId: string): void;
  focusEndpoint(id: string | null): void;
}

export const createUiSlice: Slice<UiSlice> = (set) => ({
  view: 'endpoints',
  form: null,
  formPreset: null,
  selectedClient: {},
  focusEndpointId: null,
  setView: (view) => set({ view }),
  openForm: (form, preset) => set((s) => ({ form, formPreset: preset ?? null, view: form ? 'endpoints' : s.view })),
  selectClient: (listenerId, conversationId) =>
    set((s) => ({ selectedClient: { ...s.selectedClient, [listenerId]: conversationId } })),
  focusEndpoint: (focusEndpointId) => set({ focusEndpointId, view: 'endpoints' }),
});
