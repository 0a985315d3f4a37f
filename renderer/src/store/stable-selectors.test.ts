/**
 * A store selector must return something already in the state (or a module-level constant): one
 * that builds a new array or object per call makes useSyncExternalStore see a change on every
 * render, and React gives up with error #185, blanking the whole app (issue 11: `s.appInfo?.interfaces
 * ?? []` did, whenever there was no app info yet). Selectors that must build, use useShallow.
 */
import { describe, expect, it } from 'vitest';

/** Every renderer source file's text, read through Vite (the renderer may not import Node). */
const SOURCES = import.meta.glob<string>(['../**/*.ts', '../**/*.tsx', '!../**/*.test.ts'], { query: '?raw', import: 'default', eager: true });

/** Expressions that make a new array or object each time they run. */
const FRESH = [
  { pattern: /\?\?\s*\[\s*\]/, what: '`?? []`' },
  { pattern: /\?\?\s*\{\s*\}/, what: '`?? {}`' },
  { pattern: /=>\s*\(\s*\{/, what: 'an object literal' },
  { pattern: /=>\s*\[/, what: 'an array literal' },
  { pattern: /\.(map|filter|slice|concat|flatMap|toSorted|toReversed)\(/, what: 'a new array (.map/.filter/…)' },
  { pattern: /Object\.(keys|values|entries|fromEntries)\(|Array\.from\(|\[\s*\.\.\./, what: 'a new array' },
  { pattern: /\{\s*\.\.\./, what: 'a spread object' },
];

/** The text between the parenthesis at `open` and its match. */
function argumentAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** Every selector passed to useStore(…) inline, and every `select…` helper the store files export. */
function unstableSelectors(file: string, text: string): string[] {
  const found: string[] = [];
  const check = (selector: string, where: string) => {
    if (/^\s*useShallow\(/.test(selector)) return;
    for (const f of FRESH) if (f.pattern.test(selector)) found.push(`${where}: ${f.what} in ${selector.trim().slice(0, 120)}`);
  };
  for (const m of text.matchAll(/\buseStore\(/g)) {
    const line = text.slice(0, m.index).split('\n').length;
    check(argumentAt(text, (m.index as number) + m[0].length - 1), `${file}:${line}`);
  }
  for (const m of text.matchAll(/export const (select\w*)\s*=\s*([^;]*);/g)) {
    check(m[2] as string, `${file}: ${m[1]}`);
  }
  return found;
}

describe('store selectors', () => {
  it('the checker catches the selector that blanked the app', () => {
    expect(unstableSelectors('x.tsx', 'const i = useStore((s) => s.appInfo?.interfaces ?? []);')).toHaveLength(1);
    expect(unstableSelectors('x.tsx', 'const v = useStore((s) => ({ a: s.a, b: s.b }));')).toHaveLength(1);
    expect(unstableSelectors('x.tsx', 'const v = useStore(useShallow((s) => ({ a: s.a })));')).toEqual([]);
    expect(unstableSelectors('x.ts', 'export const selectIds = (s: S) => s.list.map((x) => x.id);')).toHaveLength(1);
    expect(unstableSelectors('x.tsx', 'const a = useStore((s) => s.appInfo);')).toEqual([]);
  });

  it('no selector in the renderer builds a new array or object per call', () => {
    const files = Object.entries(SOURCES);
    expect(files.length, 'the renderer sources were found').toBeGreaterThan(30);
    const problems = files.flatMap(([path, text]) => unstableSelectors(path, text));
    expect(problems, 'use useShallow, or return a module-level constant for "nothing"').toEqual([]);
  });
});
