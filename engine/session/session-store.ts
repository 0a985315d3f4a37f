/**
 * The session in memory, and its one file in the data folder (`session.json`): saved messages, UI
 * state, options and the desktop window's place live here; endpoints and recent hosts are read from
 * the engine whenever the file is written, so the file always says what is open now.
 *
 * Writes are debounced (a burst of changes is one write) and atomic (session/atomic-write.ts); the
 * engine flushes before it closes its sockets on shutdown. A failed write is a one-line notice, and
 * the next change tries again.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { SavedMessage } from '../../shared/saved-messages';
import { SAVED_MESSAGE_LIMITS } from '../../shared/saved-messages';
import {
  serializeSession,
  SESSION_FORMAT,
  SESSION_LIMITS,
  SESSION_VERSION,
  type SessionEndpoint,
  type SessionFile,
  type SessionOptions,
  type WindowBounds,
} from '../../shared/session';
import {
  defaultSessionUi,
  type RecentHostLists,
  type SessionNotice,
  type SessionStatus,
  type SessionUi,
  type SessionUiPatch,
} from '../../shared/session-state';
import { CommandError, limitReached, notFound } from '../command-error';
import { writeFileAtomic } from './atomic-write';
import { endpointProblem } from './endpoint-checks';
import { backupName, errorText, loadSessionFile } from './session-file';

export const SESSION_FILE_NAME = 'session.json';
export const SAVE_DEBOUNCE_MS = 300;
const MIB = 1024 * 1024;

export interface SessionStoreOptions {
  /** The data folder; null keeps the session in memory only (tests, tools). */
  dataDir: string | null;
  /** The live endpoints as session entries, in creation order (see endpoint-entries.ts). */
  endpoints(previous: ReadonlyMap<string, SessionEndpoint>): Map<string, SessionEndpoint>;
  recentHosts(): RecentHostLists;
  onMessagesChanged(messages: SavedMessage[]): void;
  onStatusChanged(status: SessionStatus): void;
  debounceMs?: number;
  now?: () => Date;
  /** Names the atomic write's temp file (tests plant things there). */
  tempPath?: (target: string) => string;
  log?: (line: string) => void;
}

/** What the file asked to reopen, handed once to the restorer. */
export interface RestorePlan {
  endpoints: SessionEndpoint[];
  reconnect: boolean;
  recentHosts: RecentHostLists;
}

export class SessionStore {
  private path: string | null;
  private messages: SavedMessage[] = [];
  private ui: SessionUi = defaultSessionUi();
  private options: SessionOptions = { reconnectOnStart: false };
  private windowBounds: WindowBounds | null = null;
  private notice: SessionNotice | null = null;
  /** Each endpoint's last entry, by its engine id: a UDP endpoint that never bound keeps its saved options. */
  private entries = new Map<string, SessionEndpoint>();
  private plan: RestorePlan | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private lastWritten: string | null = null;
  private closed = false;
  private readonly debounceMs: number;
  private readonly now: () => Date;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: SessionStoreOptions) {
    this.path = opts.dataDir ? join(opts.dataDir, SESSION_FILE_NAME) : null;
    this.debounceMs = opts.debounceMs ?? SAVE_DEBOUNCE_MS;
    this.now = opts.now ?? (() => new Date());
    this.log = opts.log ?? ((line) => console.warn(line));
  }

  /** Where the session is written; null when it is kept in memory only. */
  get file(): string | null {
    return this.path;
  }

  /** Reads the file (synchronously: the desktop window's place is needed before the first window). */
  load(): void {
    if (!this.path) return;
    const outcome = loadSessionFile(this.path, this.now, endpointProblem);
    switch (outcome.kind) {
      case 'missing':
        return;
      case 'loaded':
        this.adopt(outcome.session);
        return;
      case 'kept-aside': {
        const kept = outcome.backup ? `; it was kept as ${backupName(outcome.backup)}` : '';
        this.setNotice({
          kind: 'kept-aside',
          message: `The session file ${this.path} ${outcome.reason}${kept}, and Sockscope started with an empty session.`,
          backup: outcome.backup,
        });
        this.log(`sockscope: ${this.notice?.message ?? ''}`);
        return;
      }
      case 'unsafe-folder':
        this.setNotice({ kind: 'save-failed', message: `The session is kept in memory only: ${outcome.reason}.`, backup: null });
        this.log(`sockscope: ${this.notice?.message ?? ''}`);
        // Neither read nor written: the folder is not ours alone.
        this.path = null;
        return;
    }
  }

  /** The endpoints (and recent hosts) the loaded file asked for; null once taken. */
  takeRestorePlan(): RestorePlan | null {
    const plan = this.plan;
    this.plan = null;
    return plan;
  }

  /**
   * After a restore: the UI state named endpoints by their saved ids; it now names their new ones
   * (an endpoint that did not come back is forgotten), and each keeps its saved entry.
   */
  adoptRestored(idMap: ReadonlyMap<string, string>, entries: ReadonlyMap<string, SessionEndpoint>): void {
    const workspaceTab: Record<string, string> = {};
    for (const [saved, tab] of Object.entries(this.ui.workspaceTab)) {
      const id = idMap.get(saved);
      if (id) workspaceTab[id] = tab;
    }
    const selected = this.ui.selectedEndpointId;
    this.ui = { ...this.ui, workspaceTab, selectedEndpointId: selected ? (idMap.get(selected) ?? null) : null };
    for (const [id, entry] of entries) this.entries.set(id, entry);
  }

  /** Replaces everything but endpoints with `session`'s (they are restored by the caller). */
  replace(session: SessionFile): RestorePlan {
    this.adopt(session);
    this.entries.clear();
    this.opts.onMessagesChanged(this.savedMessages());
    this.opts.onStatusChanged(this.status());
    this.changed();
    return this.takeRestorePlan() as RestorePlan;
  }

  private adopt(session: SessionFile): void {
    this.messages = session.savedMessages.map((m) => ({ ...m }));
    this.ui = session.ui;
    this.options = { ...session.options };
    this.windowBounds = session.window;
    this.plan = { endpoints: session.endpoints, reconnect: session.options.reconnectOnStart, recentHosts: session.recentHosts };
  }

  // ---------------------------------------------------------------------------------------------
  // what the commands change

  savedMessages(): SavedMessage[] {
    return this.messages.map((m) => ({ ...m }));
  }

  /** Adds a message (a fresh id) or replaces the one with `m.id`; answers with its id. */
  saveMessage(m: Omit<SavedMessage, 'id'> & { id?: string | undefined }): string {
    const id = m.id ?? newMessageId();
    const message: SavedMessage = { id, name: m.name, group: m.group, format: m.format, content: m.content, lineEnding: m.lineEnding };
    const at = this.messages.findIndex((x) => x.id === id);
    if (at < 0 && this.messages.length >= SAVED_MESSAGE_LIMITS.count) {
      throw limitReached(`Sockscope keeps at most ${SAVED_MESSAGE_LIMITS.count.toLocaleString('en-US')} saved messages: remove some first`);
    }
    const before = this.messages;
    this.messages = at < 0 ? [...before, message] : before.map((x, i) => (i === at ? message : x));
    const size = this.exportText().length;
    if (size > SESSION_LIMITS.fileBytes) {
      this.messages = before;
      throw limitReached(`the session would be larger than ${SESSION_LIMITS.fileBytes / MIB} MiB with this message: remove large saved messages or behaviour replies first`);
    }
    this.opts.onMessagesChanged(this.savedMessages());
    this.changed();
    return id;
  }

  removeMessage(id: string): void {
    if (!this.messages.some((m) => m.id === id)) throw notFound('saved message', id);
    this.messages = this.messages.filter((m) => m.id !== id);
    this.opts.onMessagesChanged(this.savedMessages());
    this.changed();
  }

  /** `ids`: every saved message's id, once each, in the new order. */
  reorderMessages(ids: readonly string[]): void {
    const byId = new Map(this.messages.map((m) => [m.id, m]));
    if (ids.length !== byId.size || new Set(ids).size !== ids.length || ids.some((id) => !byId.has(id))) {
      throw new CommandError('VALIDATION', 'ids: list every saved message once, in the new order', [
        { path: 'ids', message: `expected each of the ${byId.size} saved messages' ids once` },
      ]);
    }
    this.messages = ids.map((id) => byId.get(id) as SavedMessage);
    this.opts.onMessagesChanged(this.savedMessages());
    this.changed();
  }

  uiState(): SessionUi {
    return { ...this.ui };
  }

  saveUi(patch: SessionUiPatch): void {
    this.ui = { ...this.ui, ...definedOnly(patch) };
    this.changed();
  }

  configure(options: SessionOptions): void {
    this.options = { ...options };
    this.opts.onStatusChanged(this.status());
    this.changed();
  }

  windowState(): WindowBounds | null {
    return this.windowBounds ? { ...this.windowBounds } : null;
  }

  setWindowState(bounds: WindowBounds): void {
    this.windowBounds = { ...bounds };
    this.changed();
  }

  dismissNotice(): void {
    this.setNotice(null);
  }

  status(): SessionStatus {
    return { file: this.path, notice: this.notice ? { ...this.notice } : null, reconnectOnStart: this.options.reconnectOnStart };
  }

  /** The saved entry of endpoint `id` (its settings as last seen, UDP options included). */
  entry(id: string): SessionEndpoint | undefined {
    return this.entries.get(id);
  }

  // ---------------------------------------------------------------------------------------------
  // the file

  /** The session as it would be written now. */
  build(): SessionFile {
    this.entries = this.opts.endpoints(this.entries);
    const live = this.entries;
    const workspaceTab = Object.fromEntries(Object.entries(this.ui.workspaceTab).filter(([id]) => live.has(id)));
    const selected = this.ui.selectedEndpointId;
    return {
      format: SESSION_FORMAT,
      version: SESSION_VERSION,
      options: { ...this.options },
      endpoints: [...live].map(([id, e]) => ({ ...e, id })),
      savedMessages: this.savedMessages(),
      recentHosts: this.opts.recentHosts(),
      ui: { ...this.ui, workspaceTab, selectedEndpointId: selected && live.has(selected) ? selected : null },
      window: this.windowState(),
    };
  }

  exportText(): string {
    return serializeSession(this.build());
  }

  /** Something in the session changed: write it (once) after the debounce. */
  changed(): void {
    if (this.closed || !this.path || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes now (any pending debounce included) and waits for the write. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.save();
  }

  /** Last write on shutdown; nothing is written after it. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Writes are chained: two never run at once, and the later one carries the newer state. */
  private save(): Promise<void> {
    this.writing = this.writing.then(() => this.writeNow());
    return this.writing;
  }

  private async writeNow(): Promise<void> {
    const file = this.path;
    if (!file || this.closed) return;
    let text: string;
    try {
      text = this.exportText();
    } catch (err) {
      this.saveFailed(file, `the session could not be put together (${errorText(err)})`);
      return;
    }
    if (text === this.lastWritten) return;
    if (text.length > SESSION_LIMITS.fileBytes) {
      this.saveFailed(file, `it would be larger than ${SESSION_LIMITS.fileBytes / MIB} MiB (${(text.length / MIB).toFixed(1)} MiB): remove large behaviour replies or saved messages`);
      return;
    }
    try {
      await writeFileAtomic(file, text, this.opts.tempPath);
      this.lastWritten = text;
      if (this.notice?.kind === 'save-failed') this.setNotice(null);
    } catch (err) {
      this.saveFailed(file, errorText(err));
    }
  }

  private saveFailed(file: string, why: string): void {
    const message = `The session could not be saved to ${file}: ${why}. It is kept in memory and saved again at the next change.`;
    if (this.notice?.message !== message) this.log(`sockscope: ${message}`);
    // A notice about a corrupt file found at start is not replaced: the person has not seen it yet.
    if (this.notice?.kind !== 'kept-aside') this.setNotice({ kind: 'save-failed', message, backup: null });
  }

  private setNotice(notice: SessionNotice | null): void {
    this.notice = notice;
    this.opts.onStatusChanged(this.status());
  }
}

function newMessageId(): string {
  return `m${randomBytes(9).toString('base64url')}`;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The one error an import answers with when the file is refused. */
export function importRefused(message: string, issues: { path: string; message: string }[]): CommandError {
  return new CommandError('VALIDATION', `session file: ${message}`, issues.length ? issues : [{ path: 'json', message }]);
}
