/**
 * Windows `tasklist /fo csv /nh`: `"Image Name","PID","Session Name","Session#","Mem Usage"`.
 * Only the image name and pid are used; the memory column is localised ("8.192 K") and ignored.
 * Fields are CSV-quoted with `""` for a quote, so an image name may hold commas and quotes; a
 * line break inside quotes is part of the field (Windows names can't hold one, but nothing here
 * relies on that), so records are split only at line breaks outside quotes.
 */
import { isBlank, neverThrow, parseCount } from './parse-common';

export interface TasklistResult {
  names: Map<number, string>;
  skippedLines: number;
}

export function parseTasklist(text: string): TasklistResult {
  return neverThrow(
    () => ({ names: new Map<number, string>(), skippedLines: 0 }),
    () => {
      const names = new Map<number, string>();
      let skippedLines = 0;
      for (const line of splitCsvRecords(String(text))) {
        if (isBlank(line)) continue;
        const fields = parseCsvLine(line);
        const name = fields[0];
        const pid = parseCount(fields[1]?.trim());
        // The header row (when /nh was not given) has "PID" in the second column.
        if (fields[1] === 'PID') continue;
        if (name === undefined || name.length === 0 || pid === null) {
          skippedLines++;
          continue;
        }
        if (!names.has(pid)) names.set(pid, name);
      }
      return { names, skippedLines };
    },
  );
}

/** CSV records: text split at `\r\n`, `\n` or `\r` outside double quotes. Linear. */
export function splitCsvRecords(text: string): string[] {
  const records: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      records.push(text.slice(start, i));
      if (ch === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  records.push(text.slice(start));
  return records;
}

/** One CSV record: quoted fields with `""` escapes, or bare fields; linear, never throws. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    let value = '';
    if (line[i] === '"') {
      i++;
      while (i < n) {
        const ch = line[i] as string;
        if (ch === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      // Anything between the closing quote and the comma is kept, as spreadsheet tools do.
      while (i < n && line[i] !== ',') value += line[i++];
    } else {
      while (i < n && line[i] !== ',') value += line[i++];
    }
    fields.push(value);
    i++; // skip the comma (or step past the end)
  }
  return fields;
}
