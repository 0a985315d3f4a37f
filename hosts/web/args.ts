export interface WebHostArgs {
  host: string;
  port: number;
  open: boolean;
  dataDir: string | null;
}

export const USAGE = `usage: npm run web -- [--port N] [--host ADDR] [--no-open] [--data-dir DIR]
  --port N       port for the UI (0 = any free port; default 0)
  --host ADDR    address to bind (default 127.0.0.1; anything but loopback exposes the UI)
  --no-open      do not open the default browser
  --data-dir DIR where the session is kept: endpoints, saved messages, recent hosts, UI state
                 (default ~/.config/sockscope)`;

export function parseWebHostArgs(argv: string[]): WebHostArgs | { error: string } {
  const out: WebHostArgs = { host: '127.0.0.1', port: 0, open: true, dataDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--port') {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0 || n > 65535) return { error: '--port takes a number from 0 to 65535' };
        out.port = n;
      } else if (a === '--host') out.host = value();
      else if (a === '--no-open') out.open = false;
      else if (a === '--data-dir') out.dataDir = value();
      else if (a === '--help' || a === '-h') return { error: USAGE };
      else return { error: `unknown option ${a}\n${USAGE}` };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
  return out;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(host);
}

/** What `npm run web` prints before serving on an address other people can reach (null for loopback). */
export function exposureWarning(host: string): string | null {
  if (isLoopback(host)) return null;
  return (
    `WARNING: --host ${host} is not a loopback address: anyone who can reach this machine and obtains the URL's token ` +
    'can open sockets and run socket-table commands here, as this user. Use the default (127.0.0.1) unless you mean it.'
  );
}
