/**
 * A rules file (YAML, or JSON, which is YAML) → a checked RulesFile, for the CLI (`listen --rules
 * FILE`, `serve RULES`) and anyone else who reads one. The `yaml` package parses data only (no tags
 * that run code, no eval); aliases are capped so a "billion laughs" file cannot expand. The rule set
 * is compiled here too, so a bad regex or reply is refused with its place (`rules.2.match.regex`)
 * before any socket opens. Every refusal is a CommandError VALIDATION whose message says where.
 */
import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { RULES_FILE_VERSION, RulesFile } from '../../shared/rules';
import { CommandError } from '../command-error';
import { RuleBook } from './rule-book';

export const RULES_FILE_BYTES = 1024 * 1024;

const bad = (message: string, path = 'file') => new CommandError('VALIDATION', message, [{ path, message }]);

/** Parses and checks a rules file's text; `name` (a file name) prefixes every message. */
export function parseRulesText(text: string, name = 'rules file'): RulesFile {
  if (text.length > RULES_FILE_BYTES) throw bad(`${name}: a rules file is at most ${RULES_FILE_BYTES / 1024} KiB`);
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 100, prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  } catch (err) {
    throw bad(`${name}: not valid YAML or JSON: ${err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)}`);
  }
  if (data !== null && typeof data === 'object' && 'version' in data) {
    const v = (data as { version: unknown }).version;
    if (typeof v === 'number' && v > RULES_FILE_VERSION) {
      throw bad(`${name}: version: this Sockscope reads rules version ${RULES_FILE_VERSION}; the file is version ${v} (update Sockscope)`, 'version');
    }
  }
  const parsed = RulesFile.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') || 'rules file';
    throw bad(`${name}: ${where}: ${issue?.message ?? 'not a rules file'}`, where);
  }
  try {
    RuleBook.compile(parsed.data, { path: 'rules' });
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    const where = (err.issues?.[0]?.path ?? 'rules').replace(/\[(\d+)\]/g, '.$1').replace(/^rules\./, '');
    throw bad(`${name}: ${where}: ${err.issues?.[0]?.message ?? err.message}`, where);
  }
  return parsed.data;
}

/** Reads and checks a rules file. Throws CommandError VALIDATION (bad content) or NOT_FOUND / IO. */
export async function loadRulesFile(path: string): Promise<RulesFile> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new CommandError('NOT_FOUND', `${path}: cannot read the rules file (${code})`);
  }
  if (size > RULES_FILE_BYTES) throw bad(`${path}: a rules file is at most ${RULES_FILE_BYTES / 1024} KiB (this one is ${size} bytes)`);
  return parseRulesText(await readFile(path, 'utf8'), path);
}

/** The file's rule set as `tcp:listen` / `udp:bind` take it (the version is the file's, not the set's). */
export function ruleSetOf(file: RulesFile): Omit<RulesFile, 'version'> {
  const { version: _version, ...set } = file;
  return set;
}
