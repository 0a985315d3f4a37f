/**
 * The lint rules that keep received bytes and OS output from becoming code: prove each ban fires
 * on a planted line, with the project's real eslint.config.js, so loosening the config fails here.
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const cases: { name: string; file: string; code: string; rule: string }[] = [
  {
    name: 'dangerouslySetInnerHTML',
    file: 'renderer/src/planted.tsx',
    code: 'export const A = ({ x }: { x: string }) => <div dangerouslySetInnerHTML={{ __html: x }} />;\n',
    rule: 'no-restricted-syntax',
  },
  { name: 'innerHTML', file: 'renderer/src/planted.ts', code: 'export function f(el: HTMLElement, s: string) {\n  el.innerHTML = s;\n}\n', rule: 'no-restricted-syntax' },
  { name: 'outerHTML', file: 'renderer/src/planted.ts', code: 'export function f(el: HTMLElement, s: string) {\n  el.outerHTML = s;\n}\n', rule: 'no-restricted-syntax' },
  {
    name: 'insertAdjacentHTML',
    file: 'renderer/src/planted.ts',
    code: "export function f(el: HTMLElement, s: string) {\n  el.insertAdjacentHTML('beforeend', s);\n}\n",
    rule: 'no-restricted-syntax',
  },
  { name: 'exec import', file: 'engine/planted.ts', code: "import { exec } from 'node:child_process';\nexec('ls');\n", rule: 'no-restricted-imports' },
  { name: 'execSync import', file: 'engine/planted.ts', code: "import { execSync } from 'child_process';\nexecSync('ls');\n", rule: 'no-restricted-imports' },
  {
    name: 'namespace import of child_process used for exec',
    file: 'hosts/electron/planted.ts',
    code: "import * as cp from 'node:child_process';\ncp.exec('ls');\n",
    rule: 'no-restricted-imports',
  },
  { name: 'execSync call in a script', file: 'scripts/planted.mjs', code: "import cp from 'node:child_process';\ncp.execSync('ls');\n", rule: 'no-restricted-syntax' },
  {
    name: 'shell: true',
    file: 'engine/planted.ts',
    code: "import { spawn } from 'node:child_process';\nspawn('ss', ['-tan'], { shell: true });\n",
    rule: 'no-restricted-syntax',
  },
  {
    name: 'shell: "/bin/sh"',
    file: 'engine/planted.ts',
    code: "import { execFile } from 'node:child_process';\nexecFile('ss', ['-tan'], { shell: '/bin/sh' });\n",
    rule: 'no-restricted-syntax',
  },
  { name: 'eval', file: 'renderer/src/planted.ts', code: 'export const f = (s: string) => eval(s);\n', rule: 'no-restricted-syntax' },
  { name: 'new Function', file: 'renderer/src/planted.ts', code: "export const f = (s: string) => new Function('x', s);\n", rule: 'no-restricted-syntax' },
  { name: 'raw ipcMain outside the IPC bridge', file: 'hosts/electron/planted.ts', code: "import { ipcMain } from 'electron';\nipcMain.handle('x', () => 1);\n", rule: 'no-restricted-imports' },
  // The UI reaches the engine through store actions only (renderer/src/store/*-slice.ts).
  { name: 'a component importing the bridge', file: 'renderer/src/components/planted.tsx', code: "import { startBridge } from '../bridge/bridge';\nexport const f = startBridge;\n", rule: 'no-restricted-imports' },
  {
    name: "a component calling the store's engine port",
    file: 'renderer/src/components/workspace/planted.ts',
    code: "import { engineCall } from '../../store/engine-port';\nexport const f = () => engineCall('app:info', {});\n",
    rule: 'no-restricted-imports',
  },
  {
    name: 'a component paging history itself',
    file: 'renderer/src/components/workspace/planted.ts',
    code: "import { fetchHistory } from '../../store/conversation-history';\nexport const f = fetchHistory;\n",
    rule: 'no-restricted-imports',
  },
  { name: 'a lib module importing the bridge', file: 'renderer/src/lib/planted.ts', code: "import { electronApi } from '../bridge/electron-transport';\nexport const f = electronApi;\n", rule: 'no-restricted-imports' },
];

describe('ESLint bans the footguns', { timeout: 60_000 }, () => {
  for (const c of cases) {
    it(c.name, async () => {
      const found = await problems(c.file, c.code);
      expect(found.some((p) => p.startsWith(`${c.rule}:`)), found.join('\n')).toBe(true);
    });
  }

  it('allows the safe forms: execFile with an argument array, shell: false, text content', async () => {
    expect(
      await problems(
        'engine/planted.ts',
        "import { execFile } from 'node:child_process';\nexecFile('ss', ['-tan'], { shell: false }, () => {});\n",
      ),
    ).toEqual([]);
    expect(await problems('renderer/src/planted.ts', 'export function f(el: HTMLElement, s: string) {\n  el.textContent = s;\n}\n')).toEqual([]);
  });

  it('lets the store call the engine, and components use store actions and history types', async () => {
    expect(await problems('renderer/src/store/planted.ts', "import { engineCall } from './engine-port';\nexport const f = () => engineCall('app:info', {});\n")).toEqual([]);
    expect(
      await problems(
        'renderer/src/components/workspace/planted.ts',
        "import type { FullChunk } from '../../store/conversation-history';\nimport { useStore } from '../../store/store';\nexport const f = (c: FullChunk) => useStore.getState().closeEndpoint(String(c.seq));\n",
      ),
    ).toEqual([]);
  });
});
