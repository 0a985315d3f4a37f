// Lint rules that encode the architecture: who may touch IPC, what may import what, and the
// footguns that turn received bytes or OS output into code (innerHTML, shells).
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Parsers and extensions for import-x's own module graph (the resolver is set below).
const { 'import-x/resolver': _defaultResolver, ...typescriptSettings } = importX.flatConfigs.typescript.settings;

const childProcessFootguns = ['exec', 'execSync'].map((name) => ({
  name: 'node:child_process',
  importNames: [name],
  message: 'Run OS commands with execFile/spawn and an argument array: never a shell.',
}));
const childProcessFootgunsBare = childProcessFootguns.map((r) => ({ ...r, name: 'child_process' }));

const rawIpc = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Raw IPC lives only in hosts/electron/ipc-bridge.ts and hosts/electron/preload.ts.',
};

// The renderer's own imports; the UI folders add the engine's door (see below).
const rendererImports = {
  paths: [{ name: 'electron', message: 'The renderer reaches the engine only through its bridge.' }],
  patterns: [{ group: ['node:*', '**/engine/**', '**/hosts/**', '**/cli/**'], message: 'The renderer imports only shared/ and its own code.' }],
};

const htmlSinks = [
  { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Render bytes and OS output as text, never as HTML.' },
  { selector: "MemberExpression[property.name=/^(innerHTML|outerHTML)$/]", message: 'Render bytes and OS output as text, never as HTML.' },
  { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'Render bytes and OS output as text, never as HTML.' },
  { selector: "Property[key.name='shell'][value.type='Literal'][value.value!=false]", message: 'No shell: pass an argument array to execFile/spawn.' },
  { selector: "CallExpression[callee.property.name='execSync']", message: 'Run OS commands with execFile/spawn and an argument array: never a shell.' },
  { selector: "CallExpression[callee.name='eval']", message: 'No eval.' },
  { selector: "NewExpression[callee.name='Function']", message: 'No new Function().' },
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': ['error', ...htmlSinks],
      'no-restricted-imports': ['error', { paths: [rawIpc, ...childProcessFootguns, ...childProcessFootgunsBare] }],
    },
  },
  {
    // No import cycles, type-only imports included: a cycle hides which module is the leaf. Each
    // part of the engine depends on a narrow context (engine/contexts.ts), never on Engine itself.
    files: ['**/*.{ts,tsx,mts}'],
    plugins: { 'import-x': importX },
    settings: {
      ...typescriptSettings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.node.json', 'tsconfig.web.json', 'tsconfig.e2e.json'], noWarnOnMultipleProjects: true })],
    },
    rules: { 'import-x/no-cycle': ['error', { allowUnsafeDynamicCyclicDependency: false }] },
  },
  {
    files: ['hosts/electron/preload.ts', 'hosts/electron/ipc-bridge.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [...childProcessFootguns, ...childProcessFootgunsBare] }] },
  },
  {
    // The engine runs in Electron's main process and in the browser-mode host alike.
    files: ['engine/**/*.ts', 'hosts/web/**/*.ts', 'cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'The engine never imports electron.' }, ...childProcessFootguns, ...childProcessFootgunsBare] },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'shared/ is types and schemas only.' }], patterns: [{ group: ['node:*', 'fs', 'net', 'os', 'path', 'child_process', 'dgram', 'dns'], message: 'shared/ must not import Node.' }] },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // We don't run the React Compiler; virtualizers are fine without memoization.
      'react-hooks/incompatible-library': 'off',
      'no-restricted-imports': ['error', rendererImports],
    },
  },
  {
    // The UI calls the engine only through store actions (renderer/src/store/*-slice.ts): never the
    // bridge, nor the store's engine port. main.tsx, the store and the bridge itself may.
    files: ['renderer/src/components/**', 'renderer/src/shortcuts/**', 'renderer/src/lib/**', 'renderer/src/theme/**', 'renderer/src/app.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: rendererImports.paths,
          patterns: [
            ...rendererImports.patterns,
            { group: ['**/bridge/*', '**/store/engine-port'], message: 'Components reach the engine through store actions (renderer/src/store/*-slice.ts).' },
            {
              group: ['**/store/conversation-history'],
              allowImportNames: ['FullChunk', 'History'],
              message: 'Fetch history through the store actions (fetchHistory, fetchWholeChunk, readRecordingFile).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
