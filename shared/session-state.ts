/**
 * The parts of a saved session that the engine hands every UI in its snapshot: the UI state a person
 * left (view, selection, tabs, filters, theme), recent hosts, and what the session store has to
 * tell them (a corrupt file kept aside, a save that failed). Kept apart from shared/session.ts so
 * that the contract can name them without importing the file format (which imports the contract).
 */
import { z } from 'zod';
import { Id, LIMITS } from './primitives';
import { TcpState } from './system-sockets';

/** A session file (or an imported one) larger than this is not read. */
export const SESSION_FILE_BYTES = 16 * 1024 * 1024;
export const RECENT_HOSTS_PER_PROTOCOL = 20;

export const SESSION_UI_LIMITS = {
  workspaceTabs: 1_000,
  tabName: 40,
  filterText: 256,
  collapsedPanels: 100,
} as const;

/** A tab or panel name as the UI names it (`traffic`, `timeline`, `l1:charts`). */
const UiName = z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/, 'letters, digits and : . _ - (at most 64)');

/** The System sockets view's filters (renderer/src/components/system-sockets/socket-rows.ts). */
export const SystemSocketsFilters = z.strictObject({
  text: z.string().max(SESSION_UI_LIMITS.filterText).default(''),
  proto: z.enum(['all', 'tcp', 'udp', 'unix']).default('all'),
  state: z.union([z.literal('all'), TcpState]).default('all'),
  listeningOnly: z.boolean().default(false),
  hideLoopback: z.boolean().default(false),
  onlyOwn: z.boolean().default(false),
});
export type SystemSocketsFilters = z.infer<typeof SystemSocketsFilters>;

/** How Traffic logs show bytes (the same for every endpoint, like a terminal's settings). */
export const TrafficViewSettings = z.strictObject({
  mode: z.enum(['chunks', 'lines', 'hex']).default('chunks'),
  decoding: z.enum(['utf-8', 'latin1']).default('utf-8'),
  time: z.enum(['absolute', 'relative', 'delta']).default('absolute'),
});

const uiFields = {
  view: z.enum(['endpoints', 'system-sockets']),
  selectedEndpointId: Id.nullable(),
  /** Per endpoint id: the workspace tab shown. */
  workspaceTab: z
    .record(Id, z.string().min(1).max(SESSION_UI_LIMITS.tabName))
    .refine((r) => Object.keys(r).length <= SESSION_UI_LIMITS.workspaceTabs, `at most ${SESSION_UI_LIMITS.workspaceTabs} workspace tabs`),
  theme: z.enum(['system', 'light', 'dark']),
  systemSocketsFilters: SystemSocketsFilters,
  /** Panels a person collapsed (names chosen by the UI). */
  collapsedPanels: z.array(UiName).max(SESSION_UI_LIMITS.collapsedPanels),
  /** The workspace's side panel (socket calls, charts, behaviour…) is shown. */
  sidePanelOpen: z.boolean(),
  trafficView: TrafficViewSettings,
};

/**
 * Every field has a default: a hand-written session file may leave the block (or a field) out, and
 * a later version adds fields without breaking older files.
 */
export const SessionUi = z.strictObject({
  view: uiFields.view.default('endpoints'),
  selectedEndpointId: uiFields.selectedEndpointId.default(null),
  workspaceTab: uiFields.workspaceTab.default({}),
  theme: uiFields.theme.default('system'),
  systemSocketsFilters: uiFields.systemSocketsFilters.default(() => SystemSocketsFilters.parse({})),
  collapsedPanels: uiFields.collapsedPanels.default([]),
  sidePanelOpen: uiFields.sidePanelOpen.default(true),
  trafficView: uiFields.trafficView.default(() => TrafficViewSettings.parse({})),
});
export type SessionUi = z.infer<typeof SessionUi>;

/** What `ui:save` carries: the fields a UI knows about; the others keep their saved value. */
export const SessionUiPatch = z.strictObject(uiFields).partial();
export type SessionUiPatch = z.infer<typeof SessionUiPatch>;

export const defaultSessionUi = (): SessionUi => SessionUi.parse({});

/**
 * One line the UI shows until it is dismissed: `kept-aside` when the file found at start was not a
 * session Sockscope can read (it was moved to `backup`, and the app started empty); `save-failed`
 * when the session could not be written (it is still in memory).
 */
export const SessionNotice = z.strictObject({
  kind: z.enum(['kept-aside', 'save-failed']),
  message: z.string(),
  backup: z.string().nullable(),
});
export type SessionNotice = z.infer<typeof SessionNotice>;

export const SessionStatus = z.strictObject({
  /** Where the session lives; null when it is kept in memory only (no data folder). */
  file: z.string().nullable(),
  notice: SessionNotice.nullable(),
  /** Connections connect again on start (off: they come back closed, with `Reconnect`). */
  reconnectOnStart: z.boolean(),
});
export type SessionStatus = z.infer<typeof SessionStatus>;

const HostList = z.array(z.string().min(1).max(LIMITS.pathLength)).max(RECENT_HOSTS_PER_PROTOCOL).default([]);

/** Recent hosts per protocol, newest first: a UDP peer is never offered for a TCP connection. */
export const RecentHostLists = z.strictObject({
  /** `host:port` as typed for TCP connections. */
  tcp: HostList,
  /** `host:port` UDP datagrams were sent (or connected) to. */
  udp: HostList,
  /** Unix domain socket paths connected to. */
  unix: HostList,
});
export type RecentHostLists = z.infer<typeof RecentHostLists>;
export type RecentHostProtocol = keyof RecentHostLists;
export const emptyRecentHosts = (): RecentHostLists => ({ tcp: [], udp: [], unix: [] });
