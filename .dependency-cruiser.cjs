/**
 * Import cycles, type-only imports included (`npm run lint`). eslint's import-x/no-cycle flags
 * runtime cycles as you type but skips `import type`; a type-only cycle still hides which module
 * is the leaf, so this check reads the TypeScript before type imports are erased.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Give the part a narrow interface in a leaf module (e.g. engine/contexts.ts) instead of importing its user.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|out|dist|test-results|playwright-report|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs'] },
  },
};
