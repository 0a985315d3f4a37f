import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_RECENT = 20;

/** Hosts a person connected to, newest first, remembered across restarts in the data folder. */
export class RecentHosts {
  private hosts: string[] = [];
  private readonly file: string | null;

  constructor(dataDir: string | null, private readonly onChange: (hosts: string[]) => void) {
    this.file = dataDir ? join(dataDir, 'recent-hosts.json') : null;
    if (this.file) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
        if (Array.isArray(parsed)) this.hosts = parsed.filter((h): h is string => typeof h === 'string').slice(0, MAX_RECENT);
      } catch {
        // First run or unreadable file: start with an empty list.
      }
    }
  }

  list(): string[] {
    return [...this.hosts];
  }

  /** `host:port` as typed (or a socket path). */
  add(entry: string): void {
    this.hosts = [entry, ...this.hosts.filter((h) => h !== entry)].slice(0, MAX_RECENT);
    if (this.file) {
      try {
        mkdirSync(join(this.file, '..'), { recursive: true });
        writeFileSync(this.file, JSON.stringify(this.hosts));
      } catch {
        // Remembering hosts is a convenience: a read-only data folder must not break connecting.
      }
    }
    this.onChange(this.list());
  }
}
