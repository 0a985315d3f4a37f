/**
 * The `sockscope` command as a process, with real programs on the other side: ncat connects to
 * `listen`, redis-server answers `run`, Ctrl-C (SIGINT) to the bare command and to `npm run --silent
 * cli` closes every socket and exits 0, `sockets --json` lists a listener we opened.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPeers } from '../engine/testing/cleanup';
import { freePort } from '../engine/testing/tcp-peers';
import { startPeer, startRedis, tcpReady } from '../engine/testing/script-test-helpers';
import { bundleCli, killLeftovers, removeBundle, startCli } from './cli-test-helpers';

let bundle = '';
let dir = '';
const cli = (args: string[], opts: { stdin?: string } = {}) => startCli(process.execPath, [bundle, ...args], opts);

beforeAll(async () => {
  bundle = await bundleCli();
  dir = mkdtempSync(join(tmpdir(), 'sockscope-cli-files-'));
}, 60_000);
afterEach(async () => {
  killLeftovers();
  await cleanupPeers();
});
afterAll(() => {
  removeBundle();
  rmSync(dir, { recursive: true, force: true });
});

/** True when nothing listens on the port any more (we can bind it ourselves). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** ncat sends `input` and keeps reading until `want` arrived (or 10 s); then it is stopped. */
async function ncatUntil(port: number, input: string, want: string): Promise<string> {
  const child = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
  let got = '';
  try {
    child.stdin.write(input);
    const deadline = Date.now() + 10_000;
    child.stdout.on('data', (d: Buffer) => (got += d.toString()));
    while (!got.includes(want) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    return got;
  } finally {
    child.kill('SIGTERM');
  }
}

function ncatSend(port: number, text: string): void {
  // ncat sends stdin, half-closes, and (with --recv-only off) exits once the listener closes or after 2 s idle.
  execFileSync('ncat', ['--send-only', '-w', '2', '127.0.0.1', String(port)], { input: text, timeout: 10_000 });
}

describe('sockscope listen', () => {
  it('prints "listening HOST:PORT" first, shows what ncat sends, and exits 0 on SIGINT with the port free', async () => {
    const port = await freePort();
    const p = cli(['listen', '--host', '127.0.0.1', '--port', String(port)]);
    await p.line(/^listening /);
    expect(p.stdout().split('\n')[0]).toBe(`listening 127.0.0.1:${port}`);
    ncatSend(port, 'hello from ncat\r\n');
    await p.line(/recv 17 bytes: hello from ncat␍␊$/);
    expect(p.stdout()).toMatch(/^accepted 127\.0\.0\.1:\d+$/m);
    p.child.kill('SIGINT');
    expect(await p.exit()).toBe(0);
    expect(await portFree(port)).toBe(true);
  });

  it('--port 0 picks a free port, and a port in use fails with EADDRINUSE (exit 1)', async () => {
    const p = cli(['listen', '--port', '0']);
    const line = await p.line(/^listening /);
    const port = Number(/:(\d+)$/.exec(line)?.[1]);
    expect(port).toBeGreaterThan(0);
    const q = cli(['listen', '--port', String(port)]);
    expect(await q.exit()).toBe(1);
    expect(q.stderr()).toContain('EADDRINUSE');
    expect(q.stdout()).toBe('');
    p.child.kill('SIGINT');
    expect(await p.exit()).toBe(0);
  });

  it('SIGINT to `npm run --silent cli` (npm forwards it) also exits 0 and frees the port', async () => {
    const port = await freePort();
    const p = startCli('npm', ['run', '--silent', 'cli', '--', 'listen', '--host', '127.0.0.1', '--port', String(port)]);
    await p.line(/^listening /, 30_000);
    expect(p.stdout().split('\n')[0]).toBe(`listening 127.0.0.1:${port}`);
    p.child.kill('SIGINT');
    expect(await p.exit()).toBe(0);
    expect(await portFree(port)).toBe(true);
  }, 60_000);

  it('bad options are usage errors (exit 2) and --help answers on each command', async () => {
    const bad = cli(['listen', '--prot', '5']);
    expect(await bad.exit()).toBe(2);
    expect(bad.stderr()).toContain("Unknown option '--prot'");
    for (const c of ['listen', 'connect', 'udp', 'serve', 'run', 'generate', 'sockets']) {
      const h = cli([c, '--help']);
      expect(await h.exit()).toBe(0);
      expect(h.stdout()).toContain(`Usage: sockscope ${c}`);
    }
  });
});

describe('rules: listen --rules and serve', () => {
  const rules = { frame: 'line', rules: [{ match: { regex: '^(\\S+)' }, reply: 'hello $1\r\n', close: true }] };

  it('listen --rules FILE answers ncat by the rules file and closes after the reply', async () => {
    const file = join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify(rules));
    const p = cli(['listen', '--port', '0', '--rules', file]);
    const port = Number(/:(\d+)$/.exec(await p.line(/^listening /))?.[1]);
    const reply = execFileSync('ncat', ['-w', '5', '127.0.0.1', String(port)], { input: 'world and more\n', timeout: 10_000 }).toString();
    expect(reply).toBe('hello world\r\n');
    await p.line(/send 13 bytes: hello world␍␊$/);
    p.child.kill('SIGINT');
    expect(await p.exit()).toBe(0);
  });

  it('serve RULES (YAML) is the same mock server; a bad rules file is exit 2', async () => {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, "frame: line\nrules:\n  - match: { exact: PING }\n    reply: 'PONG\\r\\n'\n");
    const p = cli(['serve', file, '--port', '0']);
    const port = Number(/:(\d+)$/.exec(await p.line(/^listening /))?.[1]);
    expect(await ncatUntil(port, 'PING\n', 'PONG\r\n')).toBe('PONG\r\n');
    p.child.kill('SIGINT');
    expect(await p.exit()).toBe(0);

    const bad = join(dir, 'bad-rules.yaml');
    writeFileSync(bad, "rules:\n  - match: { regex: '(a)\\1' }\n    reply: x\n");
    const b = cli(['serve', bad, '--port', '0']);
    expect(await b.exit()).toBe(2);
    expect(b.stderr()).toContain('regex');
  });
});

describe('sockscope connect', () => {
  it('sends stdin lines to a socat echo, prints what comes back, and exits 0 once both sides closed', async () => {
    const port = await freePort();
    await startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'PIPE'], tcpReady(port));
    const p = cli(['connect', '--host', '127.0.0.1', '--port', String(port), '--crlf'], { stdin: 'one\ntwo\n' });
    expect(await p.exit()).toBe(0);
    expect(p.stdout()).toContain(`connected 127.0.0.1:${port}`);
    expect(p.stdout()).toMatch(/recv \d+ bytes: one␍␊/);
  });
});

describe('sockscope run', () => {
  it('exit 0 for the UI contract script against redis-server; --json prints JSON Lines; --junit writes valid XML', async () => {
    const port = await startRedis();
    const script = join(dir, 'ping.json');
    writeFileSync(
      script,
      JSON.stringify({
        connect: { host: '127.0.0.1', port },
        steps: [{ send: 'PING\r\n' }, { expect: '+PONG' }, { send: 'INFO server\r\n' }, { expect: { regex: 'redis_version:(\\d+)', as: ['n'], timeoutMs: 2000 } }, { send: 'ECHO got{{n}}\r\n' }, { expect: 'got' }, { close: true }],
      }),
    );
    const junit = join(dir, 'ping.xml');
    const p = cli(['run', script, '--json', '--junit', junit]);
    expect(await p.exit()).toBe(0);
    const events = p.stdout().trim().split('\n').map((l) => JSON.parse(l) as { type: string; kind?: string; ok?: boolean; outcome?: string });
    expect(events.at(-1)).toMatchObject({ type: 'end', outcome: 'passed', expectsPassed: 3 });
    expect(events.filter((e) => e.type === 'step').map((e) => e.kind)).toEqual(['connect', 'send', 'expect', 'send', 'expect', 'send', 'expect', 'close']);
    const xml = readFileSync(junit, 'utf8');
    // Python's own XML parser says whether it is well-formed.
    execFileSync('python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])', junit]);
    expect(xml).toContain('<testsuite name="ping.json" tests="8" failures="0"');
  });

  it('exit 1 when an expect times out, naming what was expected and what arrived; the JUnit report has the failure', async () => {
    const port = await freePort();
    await startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'PIPE'], tcpReady(port));
    const script = join(dir, 'timeout.yaml');
    writeFileSync(script, `connect: { host: 127.0.0.1, port: ${port} }\nsteps:\n  - send: "hello <&>\\r\\n"\n  - expect: { contains: "bye", timeoutMs: 300 }\n`);
    const junit = join(dir, 'timeout.xml');
    const p = cli(['run', script, '--junit', junit]);
    expect(await p.exit()).toBe(1);
    expect(p.stdout()).toContain('FAIL 1 expect: expected contains "bye": nothing matched within 300 ms; received 11 bytes: "hello <&>␍␊" (hex 68 65 6c 6c 6f 20 3c 26 3e 0d 0a)');
    expect(p.stdout()).toMatch(/^failed: /m);
    execFileSync('python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])', junit]);
    expect(readFileSync(junit, 'utf8')).toContain('failures="1"');
  });

  it('exit 2 for bad input: a missing file, a file that is not a script, TLS (not yet)', async () => {
    const missing = cli(['run', join(dir, 'nope.yaml')]);
    expect(await missing.exit()).toBe(2);
    expect(missing.stderr()).toContain('cannot read the script (ENOENT)');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'steps:\n  - sned: x\n');
    const p = cli(['run', bad]);
    expect(await p.exit()).toBe(2);
    expect(p.stderr()).toContain('steps.0');
    const tls = join(dir, 'tls.json');
    writeFileSync(tls, '{ "connect": { "host": "127.0.0.1", "port": 1, "tls": true, "udp": true }, "steps": [ { "send": "x" } ] }');
    const t = cli(['run', tls]);
    expect(await t.exit()).toBe(2);
    expect(t.stderr()).toContain('TLS runs over TCP, not UDP');
  });
});

describe('sockscope sockets --json', () => {
  it('prints the OS table as a JSON array that contains a listener we opened', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      const p = cli(['sockets', '--json']);
      expect(await p.exit()).toBe(0);
      const rows = JSON.parse(p.stdout()) as { proto: string; localAddress: string; localPort: number | null; state: string; processes: { pid: number }[] }[];
      expect(Array.isArray(rows)).toBe(true);
      const ours = rows.find((r) => r.proto.startsWith('tcp') && r.localPort === port && r.state === 'LISTEN');
      expect(ours, `a LISTEN row for port ${port}`).toBeDefined();
      expect(ours?.localAddress).toBe('127.0.0.1');
    } finally {
      server.close();
    }
  });
});

describe('sockscope generate', () => {
  it('full rate to a socat sink, stopped by SIGINT mid-run: exits 0 at once with a summary', async () => {
    const port = await freePort();
    await startPeer('socat', ['-u', `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'OPEN:/dev/null'], tcpReady(port));
    const p = cli(['generate', '--host', '127.0.0.1', '--port', String(port), '--connections', '2', '--message', 'x{{counter}}\\n', '--duration', '60s']);
    await p.line(/^running: /);
    const t = Date.now();
    p.child.kill('SIGINT');
    expect(await p.exit()).toBe(0);
    expect(Date.now() - t).toBeLessThan(2000);
    expect(p.stdout()).toMatch(/^stopped: [\d,]+ messages, [\d,]+ bytes, 2 streams/m);
  });
});
