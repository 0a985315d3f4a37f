import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from '../../../../shared/bytes';
import type { TrafficChunk } from '../../../../shared/endpoints';
import { chunkRows, filterDirection, LineAssembler, type DataRow, type LogRow } from './traffic-rows';

let ts = 1000;
function chunk(seq: number, dir: 'in' | 'out', text: string, size?: number): TrafficChunk {
  const bytes = new TextEncoder().encode(text);
  return { seq, ts: ts++, dir, size: size ?? bytes.length, data: bytesToBase64(bytes), truncated: size !== undefined && size > bytes.length, peer: null };
}
const texts = (rows: readonly LogRow[]) => rows.map((r) => (r.kind === 'gap' ? `[${r.text}]` : `${r.dir}:${r.text}${(r as DataRow).cut ? ' (cut)' : ''}${(r as DataRow).tail ? ' (tail)' : ''}`));

describe('LineAssembler (the Lines view)', () => {
  it('reassembles lines per direction across chunks, with the real unfinished tail last', () => {
    const a = new LineAssembler('utf-8');
    const chunks = [chunk(0, 'in', 'hel'), chunk(1, 'out', 'ok\n'), chunk(2, 'in', 'lo\nwor')];
    expect(texts(a.feed(chunks))).toEqual(['out:ok␊', 'in:hello␊', 'in:wor (tail)']);
  });

  it('marks a gap where chunks were not sent live, and never joins a line across it', () => {
    const a = new LineAssembler('utf-8');
    const rows = a.feed([chunk(0, 'in', 'abc'), chunk(3, 'in', 'def\n')]);
    expect(texts(rows)).toEqual(['in:abc (cut)', '[2 chunks not shown live]', 'in:def␊']);
  });

  it('a chunk whose preview was cut ends its line there: no "(no newline yet)" line made from cut data', () => {
    const a = new LineAssembler('utf-8');
    const rows = a.feed([chunk(0, 'in', 'line one\nAAAA', 1013)]);
    expect(texts(rows)).toEqual(['in:line one␊', 'in:AAAA (cut)', '[1000 B not shown live]']);
    expect(rows.some((r) => r.kind === 'data' && r.tail)).toBe(false);
  });

  it('bytes without a newline that follow a gap are not called "(no newline yet)": their line began in the gap', () => {
    const a = new LineAssembler('utf-8');
    const rows = a.feed([chunk(0, 'in', 'AAAA', 1000), chunk(1, 'in', 'BBBB')]);
    expect(rows.some((r) => r.kind === 'data' && r.tail)).toBe(false);
    expect(texts(rows).at(-1)).toBe('in:BBBB (cut)');
  });

  it('merges neighbouring gaps into one row', () => {
    const a = new LineAssembler('utf-8');
    const rows = a.feed([chunk(0, 'in', 'x', 100), chunk(1, 'in', 'y', 100), chunk(5, 'in', 'z\n')]);
    expect(texts(rows)).toEqual(['in:x (cut)', '[99 B not shown live]', 'in:y (cut)', '[3 chunks and 99 B not shown live]', 'in:z␊']);
  });

  it('chunks missing after the last one held (the counters are ahead) cut the tail instead of calling it unfinished', () => {
    const a = new LineAssembler('utf-8');
    expect(texts(a.feed([chunk(0, 'in', 'partial')], 1))).toEqual(['in:partial (tail)']);
    expect(texts(a.feed([chunk(0, 'in', 'partial')], 4))).toEqual(['in:partial (cut)', '[3 chunks not shown live]']);
  });

  it('feeds incrementally: the same output array while nothing is new, only new chunks decoded', () => {
    const a = new LineAssembler('utf-8');
    const c1 = [chunk(0, 'in', 'a\n')];
    const first = a.feed(c1);
    expect(a.feed(c1)).toBe(first);
    expect(texts(a.feed([...c1, chunk(1, 'in', 'b\n')]))).toEqual(['in:a␊', 'in:b␊']);
  });

  it('starts after the cleared chunks (Clear view)', () => {
    const a = new LineAssembler('utf-8', 2);
    expect(texts(a.feed([chunk(0, 'in', 'old\n'), chunk(1, 'in', 'older\n'), chunk(2, 'in', 'new\n')]))).toEqual(['in:new␊']);
  });
});

describe('chunkRows (the Chunks and Hex views)', () => {
  it('one row per chunk, a gap row where sequence numbers jump, none before the first', () => {
    const rows = chunkRows([chunk(5, 'in', 'a'), chunk(6, 'out', 'b'), chunk(9, 'in', 'c')], 'chunks', 'utf-8', {});
    expect(texts(rows)).toEqual(['in:a', 'out:b', '[2 chunks not shown live]', 'in:c']);
  });

  it('hex rows take one text line per 16 bytes, under a line for direction, time and size', () => {
    const [row] = chunkRows([chunk(0, 'in', 'x'.repeat(40))], 'hex', 'utf-8', {}) as DataRow[];
    expect(row?.lineCount).toBe(4);
    expect(row?.text.split('\n')).toHaveLength(3);
  });

  it('a multi-line chunk is one row: the ␊ stays, the newline goes', () => {
    const [row] = chunkRows([chunk(0, 'in', 'a\nb\n')], 'chunks', 'utf-8', {}) as DataRow[];
    expect(row?.text).toBe('a␊b␊');
  });

  it('the direction filter keeps gaps where they are', () => {
    const rows = chunkRows([chunk(0, 'in', 'a'), chunk(1, 'out', 'b'), chunk(3, 'in', 'c')], 'chunks', 'utf-8', {});
    expect(texts(filterDirection(rows, 'in'))).toEqual(['in:a', '[1 chunk not shown live]', 'in:c']);
    expect(texts(filterDirection(rows, 'out'))).toEqual(['out:b', '[1 chunk not shown live]']);
  });
});

describe('drawn text', () => {
  it('a long row draws its start only (with …), while its text keeps the whole preview for search', () => {
    const long = 'x'.repeat(500);
    const [row] = chunkRows([chunk(0, 'in', long)], 'chunks', 'utf-8', {}) as DataRow[];
    expect(row?.text).toBe(long);
    const drawn = row?.segments.map((s) => s.text).join('') ?? '';
    expect(drawn.length).toBeLessThan(260);
    expect(drawn.endsWith('…')).toBe(true);
  });
});
