/**
 * A script file's text (YAML, or JSON, which is YAML) → a checked Script. The `yaml` package parses
 * data only (no tags that run code, no eval); aliases are capped so a "billion laughs" file cannot
 * expand without bound. Every refusal says where: `steps.2.expect.regex: …`.
 */
import { parse as parseYaml } from 'yaml';
import { Script, SCRIPT_LIMITS, type ScriptStep } from '../../shared/script';
import { compileScriptRegex } from './script-regex';

export type ParsedScript = { ok: true; script: Script } | { ok: false; error: string };

/** Versions this build runs; a newer file is refused rather than half understood. */
const KNOWN_VERSION = 1;

export function parseScriptText(text: string): ParsedScript {
  if (text.length > SCRIPT_LIMITS.textBytes) return { ok: false, error: `a script is at most ${SCRIPT_LIMITS.textBytes / 1024} KiB` };
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 100, prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    return { ok: false, error: `not valid YAML or JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
  if (data !== null && typeof data === 'object' && 'version' in data) {
    const v = (data as { version: unknown }).version;
    if (typeof v === 'number' && v > KNOWN_VERSION) {
      return { ok: false, error: `version: this Sockscope reads script version ${KNOWN_VERSION}; the file is version ${v} (update Sockscope)` };
    }
  }
  const parsed = Script.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') || 'script';
    return { ok: false, error: `${where}: ${issue?.message ?? 'invalid script'}` };
  }
  const script = parsed.data;
  const counted = countSteps(script.steps, 1);
  if (counted.error) return { ok: false, error: counted.error };
  for (const [i, err] of checkRegexes(script.steps, '')) return { ok: false, error: `steps.${i}: ${err}` };
  return { ok: true, script };
}

function countSteps(steps: readonly ScriptStep[], depth: number): { n: number; error?: string } {
  if (depth > SCRIPT_LIMITS.depth) return { n: 0, error: `repeat is nested more than ${SCRIPT_LIMITS.depth} levels deep` };
  let n = 0;
  for (const s of steps) {
    n++;
    if ('repeat' in s) {
      const inner = countSteps(s.repeat.steps, depth + 1);
      if (inner.error) return inner;
      n += inner.n;
    }
    if (n > SCRIPT_LIMITS.steps) return { n, error: `a script has at most ${SCRIPT_LIMITS.steps} steps (repeats included)` };
  }
  return { n };
}

/** A regex that does not compile is a bad file, found before anything connects. */
function* checkRegexes(steps: readonly ScriptStep[], prefix: string): Generator<[string, string]> {
  for (const [i, s] of steps.entries()) {
    const at = `${prefix}${i}`;
    if ('repeat' in s) yield* checkRegexes(s.repeat.steps, `${at}.repeat.steps.`);
    if (!('expect' in s) || typeof s.expect === 'string' || !('regex' in s.expect)) continue;
    const compiled = compileScriptRegex(s.expect.regex, s.expect.flags ?? '');
    if (!compiled.ok) yield [`${at}.expect.regex`, compiled.error];
  }
}
