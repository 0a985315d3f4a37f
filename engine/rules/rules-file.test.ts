/** Rules files: YAML and JSON accepted, every refusal names its place, nothing evaluated. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRulesFile, parseRulesText, ruleSetOf } from './rules-file';

const dir = mkdtempSync(join(tmpdir(), 'sockscope-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = (text: string): string => {
  try {
    parseRulesText(text, 'r.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('rules files', () => {
  it('reads the contract form as JSON, and the same as YAML', async () => {
    const json = '{ "frame": "line", "rules": [ { "match": { "regex": "^(\\\\S+)" }, "reply": "hello $1\\r\\n", "close": true } ] }';
    const path = join(dir, 'r.json');
    writeFileSync(path, json);
    const file = await loadRulesFile(path);
    expect(file).toEqual({ frame: 'line', rules: [{ match: { regex: '^(\\S+)' }, reply: 'hello $1\r\n', close: true }] });
    const yaml = ['version: 1', 'frame: line', 'rules:', '  - match: { regex: "^(\\\\S+)" }', '    reply: "hello $1\\r\\n"', '    close: true'].join('\n');
    expect(ruleSetOf(parseRulesText(yaml))).toEqual(file);
  });

  it('refuses bad YAML, bad schema, bad regex, bad captures and newer versions with their place', () => {
    expect(message('rules: [ { match: ')).toMatch(/^r\.yaml: not valid YAML or JSON/);
    expect(message('rules:\n  - match: { fuzzy: x }\n    reply: y')).toMatch(/^r\.yaml: rules\.0\.match/);
    expect(message('rules:\n  - match: { exact: a }\n    reply: b\n    colour: red')).toMatch(/rules\.0.*colour/);
    expect(message('rules:\n  - match: { regex: "(a" }')).toMatch(/^r\.yaml: rules\.0\.match\.regex: not a valid RE2 regex/);
    expect(message('rules:\n  - match: { regex: "(a)\\\\1" }')).toMatch(/backreferences/);
    expect(message('rules:\n  - match: { exact: a }\n    reply: "$3"')).toMatch(/rules\.0\.reply: \$3 at position 1 names no capture/);
    expect(message('rules:\n  - match: { exact: a }\n    close: true\n    abort: true')).toMatch(/rules\.0\.abort: choose close/);
    expect(message('version: 2\nrules: []')).toMatch(/reads rules version 1; the file is version 2/);
    expect(message('frame: { delimiter: "\\\\q" }')).toMatch(/frame\.delimiter: unknown escape/);
  });

  it('never runs YAML tags, and caps aliases', () => {
    expect(message('rules: !!js/function "function () { return 1 }"')).toMatch(/r\.yaml/);
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 12 }, (_, i) => `${'b' + i}: &${'b' + i} [*${i === 0 ? 'a' : 'b' + (i - 1)}, *${i === 0 ? 'a' : 'b' + (i - 1)}, *${i === 0 ? 'a' : 'b' + (i - 1)}, *${i === 0 ? 'a' : 'b' + (i - 1)}, *${i === 0 ? 'a' : 'b' + (i - 1)}, *${i === 0 ? 'a' : 'b' + (i - 1)}, *${i === 0 ? 'a' : 'b' + (i - 1)}, *${i === 0 ? 'a' : 'b' + (i - 1)}, *${i === 0 ? 'a' : 'b' + (i - 1)}, *${i === 0 ? 'a' : 'b' + (i - 1)}]`), 'rules: *b11'].join('\n');
    expect(message(laughs)).toMatch(/r\.yaml/);
  });

  it('says when the file cannot be read', async () => {
    await expect(loadRulesFile(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read the rules file \(ENOENT\)/);
  });
});
