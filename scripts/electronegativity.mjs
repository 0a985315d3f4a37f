#!/usr/bin/env node
/**
 * Runs Electronegativity (Doyensec's Electron security linter) over Sockscope's sources and turns
 * its report into a pass/fail: `npm test` runs this. Electronegativity itself always exits 0, so
 * this script writes its SARIF report, reads it back, and fails when
 *   - any finding is at level "warning" or above (level "note" = "review manually" is printed only),
 *   - any file could not be parsed (its checks would silently not have run),
 *   - any inline suppression lacks a justification. Suppressions are Electronegativity's own
 *     `eng-disable CHECK_ID` comments, and here they must read
 *     `// eng-disable CHECK_ID -- why this is safe` (at least 10 characters after `--`).
 *
 * What is scanned: engine/, hosts/ (Electron main + preload, web host), renderer/index.html and
 * renderer/src, and package.json, copied to a temporary folder without tests, test helpers and
 * fixtures (they never ship). Usage:
 *
 *   node scripts/electronegativity.mjs                 # the repository
 *   node scripts/electronegativity.mjs --input DIR     # DIR as it is (used by the script's own test)
 *     [--checks ClassName,…]                           # only these checks (Electronegativity class names)
 *     [--sarif FILE]                                   # keep the SARIF report there
 *
 * AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK is excluded: it downloads Electron's release list at run
 * time, so its verdict would depend on the network and on the day, not on the code. Keeping
 * Electron current is a release-process item (docs/security.md).
 *
 * Exit codes: 0 clean, 1 findings or unjustified suppressions or parse failures, 2 could not run.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];
const FAILING_LEVELS = new Set(['warning', 'error']);
const JUSTIFIED = /eng-disable[ \t]+[A-Za-z0-9_]+(?:[ \t,]+[A-Za-z0-9_]+)*[ \t]+--[ \t]+(\S.{9,})/;
const SOURCE_FILE = /\.(?:[cm]?js|jsx|ts|tsx|html?)$/;
/** Test-only files: never shipped, and full of deliberately hostile strings. */
const TEST_ONLY = [/\.test\.[cm]?[jt]sx?$/, /(?:^|[\\/])__tests__(?:[\\/]|$)/, /(?:^|[\\/])fixtures(?:[\\/]|$)/, /test-helpers\.ts$/];

function parseArgs(argv) {
  const out = { input: null, checks: [], sarif: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--input') out.input = value();
    else if (a === '--checks') out.checks = value().split(',').map((c) => c.trim()).filter(Boolean);
    else if (a === '--sarif') out.sarif = value();
    else throw new Error(`unknown option ${a}`);
  }
  return out;
}

/** The sources that ship, copied to a fresh folder so the report's paths are repository paths. */
function stageRepository() {
  const stage = mkdtempSync(join(tmpdir(), 'sockscope-electronegativity-'));
  const keep = (src) => !TEST_ONLY.some((re) => re.test(relative(root, src)));
  for (const dir of ['engine', 'hosts']) cpSync(join(root, dir), join(stage, dir), { recursive: true, filter: keep });
  cpSync(join(root, 'renderer', 'src'), join(stage, 'renderer', 'src'), { recursive: true, filter: keep });
  cpSync(join(root, 'renderer', 'index.html'), join(stage, 'renderer', 'index.html'));
  cpSync(join(root, 'package.json'), join(stage, 'package.json'));
  return stage;
}

/** The Electron the app is built with: the installed one, else the version package.json asks for. */
function electronVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  } catch {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const range = pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? '';
    const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(range);
    return m ? `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}` : undefined;
  }
}

function walk(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files.push(...walk(p));
    else if (SOURCE_FILE.test(name)) files.push(p);
  }
  return files;
}

/** Every `eng-disable` comment must say why; returns the ones that don't. */
export function unjustifiedSuppressions(dir) {
  const found = [];
  for (const file of walk(dir)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.includes('eng-disable') && !JUSTIFIED.test(line)) {
        found.push({ file: relative(dir, file).split(sep).join('/'), line: i + 1, text: line.trim().slice(0, 160) });
      }
    });
  }
  return found;
}

/** SARIF results → failing findings and review notes. */
export function classifySarif(sarif) {
  const failing = [];
  const notes = [];
  for (const run of sarif.runs ?? []) {
    for (const r of run.results ?? []) {
      const loc = r.locations?.[0]?.physicalLocation;
      const where = `${loc?.artifactLocation?.uri ?? '?'}:${loc?.region?.startLine ?? 0}`;
      const item = { rule: r.ruleId, level: r.level ?? 'warning', where, message: r.message?.text ?? '' };
      (FAILING_LEVELS.has(item.level) ? failing : notes).push(item);
    }
  }
  return { failing, notes };
}

/** Electronegativity writes its report with a callback it does not wait for: poll until it parses. */
async function readSarif(path, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      if (Date.now() > deadline) return null;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let run;
  try {
    run = require('@doyensec/electronegativity');
  } catch {
    console.error('electronegativity: @doyensec/electronegativity is not installed (it belongs in devDependencies; run npm install).');
    return 2;
  }
  if (args.input && !existsSync(args.input)) {
    console.error(`electronegativity: ${args.input} does not exist`);
    return 2;
  }
  const input = args.input ?? stageRepository();
  const work = mkdtempSync(join(tmpdir(), 'sockscope-electronegativity-out-'));
  const sarifPath = args.sarif ?? join(work, 'report.sarif');
  try {
    // Electronegativity logs progress and translation lookups to the console; keep ours readable.
    // It also calls process.exit(1) on a bad option: turn that into an error we can report.
    const log = console.log;
    const exit = process.exit;
    console.log = () => {};
    process.exit = (code) => {
      throw new Error(`Electronegativity stopped with exit code ${code} (a bad option?)`);
    };
    let result;
    try {
      result = await run({
        input,
        output: sarifPath,
        isSarif: true,
        customScan: args.checks,
        // With an explicit list of checks, an exclusion of a check not in it is an error to it.
        excludeFromScan: args.checks.length > 0 ? [] : EXCLUDED_CHECKS,
        isRelative: true,
        isVerbose: false,
        electronVersionOverride: electronVersion(),
        parserPlugins: [],
      });
    } finally {
      console.log = log;
      process.exit = exit;
    }
    const sarif = await readSarif(sarifPath);
    if (!sarif) {
      console.error('electronegativity: no SARIF report was written');
      return 2;
    }
    const { failing, notes } = classifySarif(sarif);
    const parseFailures = (result?.errors ?? []).filter((e) => !e.tolerable);
    const unjustified = unjustifiedSuppressions(input);

    for (const n of notes) console.log(`  note     ${n.rule}  ${n.where}  ${n.message}`);
    for (const f of failing) console.log(`  ${f.level.padEnd(8)} ${f.rule}  ${f.where}  ${f.message}`);
    for (const e of parseFailures) console.log(`  error    could not parse ${relative(input, e.file)}: ${e.message} (no check ran on it)`);
    for (const u of unjustified) console.log(`  error    suppression without a justification at ${u.file}:${u.line}: ${u.text}  (write: eng-disable CHECK_ID -- why it is safe)`);

    const problems = failing.length + parseFailures.length + unjustified.length;
    console.log(
      `electronegativity: ${failing.length} finding(s) at warning level or above, ${notes.length} note(s) for manual review, ` +
        `${parseFailures.length} parse failure(s), ${unjustified.length} unjustified suppression(s)`,
    );
    return problems > 0 ? 1 : 0;
  } finally {
    if (!args.input) rmSync(input, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`electronegativity: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(2);
  },
);
