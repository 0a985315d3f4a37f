/**
 * The System sockets table's model and one row's rendering (server-side, no DOM): highlights and
 * lingering, filtering as plain text, sorting, safe export, and OS text shown as text only.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { SystemSocketsRowView } from '../../../../shared/system-sockets';
import {
  ageRows,
  csvCell,
  DEFAULT_FILTERS,
  filterRows,
  formatLocal,
  HIGHLIGHT_MS,
  LINGER_MS,
  reconcileRows,
  sortRows,
  toCsv,
  toExportRows,
  visibleRemoteName,
  type DisplayRow,
} from './socket-rows';
import { rowListenPort, rowTarget, SocketRow, type RowActions } from './system-sockets-table';
import { stateHelp } from './tcp-states';

function row(patch: Partial<SystemSocketsRowView> & { key: string }): SystemSocketsRowView {
  return {
    proto: 'tcp',
    family: 'inet',
    localAddress: '127.0.0.1',
    localPort: 5000,
    remoteAddress: '0.0.0.0',
    remotePort: null,
    state: 'LISTEN',
    stateRaw: 'LISTEN',
    recvQ: 0,
    sendQ: 128,
    processes: [{ pid: 42, name: 'socat' }],
    uid: 0,
    inode: 1,
    bytesSent: null,
    bytesReceived: null,
    rttMs: null,
    own: null,
    localService: null,
    remoteService: null,
    ...patch,
  };
}

const A = row({ key: 'a' });
const B = row({ key: 'b', localPort: 43, localService: 'whois', processes: [{ pid: 7, name: '<svg onload=1>' }] });
const C = row({ key: 'c', localPort: 40000, remoteAddress: '127.0.0.1', remotePort: 5000, state: 'ESTABLISHED', processes: [] });

describe('reconcileRows', () => {
  it('marks nothing on the first snapshot, then new, changed, and closed rows that linger and go', () => {
    let rows = reconcileRows([], [A, B], 0, true);
    expect(rows.map((d) => d.mark)).toEqual([null, null]);

    rows = reconcileRows(rows, [A, { ...B, state: 'CLOSE_WAIT' }, C], 1000, false);
    expect(rows.map((d) => [d.row.key, d.mark])).toEqual([
      ['a', null],
      ['b', 'changed'],
      ['c', 'new'],
    ]);

    // Counters alone are no change worth a mark.
    rows = reconcileRows(rows, [{ ...A, recvQ: 5 }, { ...B, state: 'CLOSE_WAIT' }], 1500, false);
    expect(rows.map((d) => [d.row.key, d.mark])).toEqual([
      ['a', null],
      ['b', 'changed'],
      ['c', 'closed'],
    ]);
    expect(rows[0]?.row.recvQ).toBe(5);

    const aged = ageRows(rows, 1500 + Math.max(HIGHLIGHT_MS, LINGER_MS));
    expect(aged?.map((d) => [d.row.key, d.mark])).toEqual([
      ['a', null],
      ['b', null],
    ]);
    expect(ageRows(aged ?? [], 99_999)).toBeNull();
  });

  it('a row that comes back while lingering is new again', () => {
    let rows = reconcileRows([], [A], 0, true);
    rows = reconcileRows(rows, [], 100, false);
    rows = reconcileRows(rows, [A], 200, false);
    expect(rows.map((d) => d.mark)).toEqual(['new']);
  });
});

describe('filterRows', () => {
  const rows = reconcileRows([], [A, B, C], 0, true);

  it('narrows to rows containing the text, whatever column it is in', () => {
    expect(filterRows(rows, { ...DEFAULT_FILTERS, text: '5000' }).map((d) => d.row.key)).toEqual(['a', 'c']);
    expect(filterRows(rows, { ...DEFAULT_FILTERS, text: 'WHOIS' }).map((d) => d.row.key)).toEqual(['b']);
    expect(filterRows(rows, { ...DEFAULT_FILTERS, text: 'established' }).map((d) => d.row.key)).toEqual(['c']);
  });

  it('treats the text as text: no patterns, nothing run', () => {
    for (const text of ['$(id)', ';touch /tmp/x', '.*', '[', '\\', "' OR 1=1 --"]) {
      expect(filterRows(rows, { ...DEFAULT_FILTERS, text })).toEqual([]);
    }
    expect(filterRows(rows, { ...DEFAULT_FILTERS, text: '<svg' }).map((d) => d.row.key)).toEqual(['b']);
  });

  it('quick filters: listening only, only ours, hide loopback, protocol and state', () => {
    const own = reconcileRows([], [A, { ...C, own: { endpointId: 'c1', conversationId: 'c1.s1' } }], 0, true);
    expect(filterRows(own, { ...DEFAULT_FILTERS, onlyOwn: true }).map((d) => d.row.key)).toEqual(['c']);
    expect(filterRows(rows, { ...DEFAULT_FILTERS, listeningOnly: true }).map((d) => d.row.key)).toEqual(['a', 'b']);
    expect(filterRows(rows, { ...DEFAULT_FILTERS, hideLoopback: true })).toEqual([]);
    expect(filterRows(rows, { ...DEFAULT_FILTERS, proto: 'udp' })).toEqual([]);
    expect(filterRows(rows, { ...DEFAULT_FILTERS, state: 'ESTABLISHED' }).map((d) => d.row.key)).toEqual(['c']);
  });
});

describe('sortRows', () => {
  const rows = reconcileRows([], [A, B, C], 0, true);
  it('sorts by any column both ways; unknown values last either way', () => {
    expect(sortRows(rows, { column: 'local', dir: 'asc' }).map((d) => d.row.key)).toEqual(['b', 'a', 'c']);
    expect(sortRows(rows, { column: 'pid', dir: 'asc' }).map((d) => d.row.key)).toEqual(['b', 'a', 'c']);
    expect(sortRows(rows, { column: 'pid', dir: 'desc' }).map((d) => d.row.key)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, { column: 'state', dir: 'desc' }).map((d) => d.row.key)).toEqual(['c', 'a', 'b']);
  });
});

describe('export', () => {
  it('CSV quotes what needs quoting and defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('@SUM(1)')).toBe("'@SUM(1)");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(12)).toBe('12');
    expect(csvCell(null)).toBe('');
    const csv = toCsv(toExportRows(reconcileRows([], [B], 0, true)));
    expect(csv.split('\r\n')[0]).toBe('Proto,Local,Remote,State,PID,Process,Recv-Q,Send-Q,Bytes sent,Bytes received,RTT (ms),Remote name,Sockscope endpoint');
    expect(csv).toContain('127.0.0.1:43 (whois)');
    expect(csv).toContain('<svg onload=1>');
  });

  it('leaves lingering closed rows out of the export', () => {
    const rows = reconcileRows(reconcileRows([], [A, B], 0, true), [A], 10, false);
    expect(toExportRows(rows).map((r) => r.local)).toEqual(['127.0.0.1:5000']);
  });
});

describe('row actions and formatting', () => {
  it('Local shows the service name; targets point at the peer of a connection, else the local side', () => {
    expect(formatLocal(B)).toBe('127.0.0.1:43 (whois)');
    // C is an outgoing connection to port 5000: its server end is the remote.
    expect(rowTarget(C)).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(rowListenPort(C)).toBe(5000);
    // ...unless something here listens on 5000: then C's remote is taken, nothing to offer.
    expect(rowListenPort(C, new Set([5000]))).toBeNull();
    // An accepted connection points at its listener's side, not the client's ephemeral port.
    const accepted = row({ key: 'acc', localPort: 5000, remoteAddress: '127.0.0.1', remotePort: 40000, state: 'ESTABLISHED' });
    expect(rowTarget(accepted, new Set([5000]))).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(rowListenPort(accepted, new Set([5000]))).toBeNull();
    expect(rowTarget(row({ key: 'w', localAddress: '*', family: 'inet6', localPort: 80 }))).toEqual({ host: '::1', port: 80 });
    expect(rowListenPort(row({ key: 'u', proto: 'udp', state: 'UNCONN' }))).toBeNull();
  });

  it('every state has a hover explanation that says whose move it is', () => {
    expect(stateHelp('CLOSE_WAIT', 'tcp')).toMatch(/This side moves next/);
    expect(stateHelp('TIME_WAIT', 'tcp')).toMatch(/closed first/);
    expect(stateHelp('ESTABLISHED', 'udp')).toMatch(/connect\(\)ed/);
  });
});

describe('SocketRow', () => {
  const noop: RowActions = { focus: () => {}, copy: () => {}, connect: () => {}, listen: () => {}, close: () => {} };
  const render = (d: DisplayRow) =>
    renderToStaticMarkup(
      createElement('table', null, createElement('tbody', null, createElement(SocketRow, { d, rowIndex: 2, name: null, actions: noop, listeningPorts: new Set<number>() }))),
    );

  it('shows a hostile process name as text, never as markup', () => {
    const html = render({ row: B, mark: null, markedAt: 0, text: '', identity: '' });
    expect(html).toContain('&lt;svg onload=1&gt;');
    expect(html).not.toMatch(/<svg/i);
    // No attribute anywhere is named onload: the name only ever appears inside quoted values or text.
    const attributeNames = [...html.matchAll(/\s([a-zA-Z-]+)="[^"]*"/g)].map((m) => m[1]);
    expect(attributeNames).not.toContain('onload');
    expect(html.replace(/"[^"]*"/g, '""')).not.toMatch(/<[^>]*onload/i);
  });

  it('shows bidi overrides, newlines and other invisible characters in names and paths, never obeys them', () => {
    const spoof = row({ key: 's', processes: [{ pid: 9, name: 'a\nb\u202Egnp.exe' }, { pid: 10, name: 'ss\u200Bhd' }] });
    const html = render({ row: spoof, mark: null, markedAt: 0, text: '', identity: '' });
    expect(html).toContain('a␊b⟨U+202E⟩gnp.exe, ss⟨U+200B⟩hd');
    expect(html).not.toMatch(/[\n\u202E\u200B]/);
    const unix = row({ key: 'u', proto: 'unix', family: 'unix', localAddress: '@x\ntcp LISTEN 0 128 127.0.0.1:47120\u2066', localPort: null, remoteAddress: '*' });
    const unixHtml = render({ row: unix, mark: null, markedAt: 0, text: '', identity: '' });
    expect(unixHtml).toContain('@x␊tcp LISTEN 0 128 127.0.0.1:47120⟨U+2066⟩');
    expect(unixHtml).not.toMatch(/[\n\u2066]/);
    // the reverse-DNS name of the peer, too
    const named = createElement(SocketRow, {
      d: { row: C, mark: null, markedAt: 0, text: '', identity: '' },
      rowIndex: 2,
      name: visibleRemoteName(C, { '127.0.0.1': 'evil\u202Emoc.knab' }),
      actions: noop,
      listeningPorts: new Set<number>(),
    });
    const rdns = renderToStaticMarkup(createElement('table', null, createElement('tbody', null, named)));
    expect(rdns).toContain('evil⟨U+202E⟩moc.knab');
    expect(rdns).not.toContain('\u202E');
  });

  it('exports names as shown: no control or bidi character reaches a CSV or JSON file', () => {
    const spoof = row({ key: 's', processes: [{ pid: 9, name: '\u202Egnp.exe\r\n=1+1' }] });
    const [exported] = toExportRows([{ row: spoof, mark: null, markedAt: 0, text: '', identity: '' }], {});
    expect(exported?.process).toBe('⟨U+202E⟩gnp.exe␍␊=1+1');
    expect(toCsv(exported ? [exported] : [])).not.toMatch(/\u202E|gnp\.exe\r/);
  });

  it("carries the Sockscope endpoint marker on our own rows only", () => {
    const mine = render({ row: { ...A, own: { endpointId: 'l1', conversationId: null } }, mark: 'new', markedAt: 0, text: '', identity: '' });
    expect(mine).toContain('aria-label="Sockscope endpoint"');
    expect(mine).toContain('class="row-new row-own"');
    expect(render({ row: A, mark: null, markedAt: 0, text: '', identity: '' })).not.toContain('Sockscope endpoint');
  });
});
