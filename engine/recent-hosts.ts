import { emptyRecentHosts, RECENT_HOSTS_PER_PROTOCOL, type RecentHostLists, type RecentHostProtocol } from '../shared/session-state';

/**
 * Hosts a person connected (TCP), sent datagrams to (UDP) or Unix socket paths they connected to,
 * newest first, one list per protocol: a form offers only its own protocol's (a UDP peer is not a
 * TCP server). Kept across restarts in the session file (session/session-store.ts).
 */
export class RecentHosts {
  private lists: RecentHostLists = emptyRecentHosts();

  constructor(private readonly onChange: (lists: RecentHostLists) => void) {}

  list(proto: RecentHostProtocol): string[] {
    return [...this.lists[proto]];
  }

  all(): RecentHostLists {
    return { tcp: this.list('tcp'), udp: this.list('udp'), unix: this.list('unix') };
  }

  /** `host:port` as typed (or a socket path), moved to the front of its protocol's list. */
  add(proto: RecentHostProtocol, entry: string): void {
    if (this.lists[proto][0] === entry) return;
    this.lists = { ...this.lists, [proto]: [entry, ...this.lists[proto].filter((h) => h !== entry)].slice(0, RECENT_HOSTS_PER_PROTOCOL) };
    this.onChange(this.all());
  }

  /** Lists from a session file (already validated and bounded by its schema). */
  replace(lists: RecentHostLists): void {
    this.lists = { tcp: [...lists.tcp], udp: [...lists.udp], unix: [...lists.unix] };
    this.onChange(this.all());
  }
}
