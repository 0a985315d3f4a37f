/** `sockets`: the OS socket table, from the engine's system-sockets collector. */
import { parseArgs } from 'node:util';
import type { SystemSocketsRowView } from '../../shared/system-sockets';
import { err, out } from '../cli-io';
import type { CliEngine } from '../engine-port';

const addr = (a: string | null, p: number | null) => (a === null ? '' : p === null ? a : a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

export async function sockets(engine: CliEngine, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, unix: { type: 'boolean', default: false } } });
  const view = await engine.call('system-sockets:snapshot', values.unix ? { includeUnix: true } : {});
  await engine.shutdown();
  if (view.error && view.rows.length === 0) {
    err(`sockscope: ${view.error.code}: ${view.error.message}`);
    return 1;
  }
  if (view.limitedVisibility) err(`sockscope: ${view.limitedVisibility}`);
  if (values.json) {
    out(JSON.stringify(view.rows));
    return 0;
  }
  const rows: string[][] = [['Proto', 'Local', 'Remote', 'State', 'PID', 'Process']];
  for (const r of view.rows as SystemSocketsRowView[]) {
    rows.push([r.proto, addr(r.localAddress, r.localPort), addr(r.remoteAddress, r.remotePort), r.state, r.processes.map((p) => p.pid).join(','), r.processes.map((p) => p.name ?? '').join(',')]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) out(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  return 0;
}
