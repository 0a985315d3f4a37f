/**
 * Both themes from the real stylesheets: every text colour meets WCAG AA (4.5:1) on every surface
 * it is drawn on, the OS-light and picked-light palettes are the same, and no stylesheet paints a
 * literal colour outside the palettes (it would stay dark in the light theme).
 */
// The stylesheets are read as files: under vitest, CSS imports (even `?raw`) come back empty.
// eslint-disable-next-line no-restricted-imports -- a test reading source files, never shipped
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, SRC), 'utf8');
const styles = read('styles.css');
const theme = read('styles/theme.css');
const sheets: Record<string, string> = Object.fromEntries(
  (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.css')).map((f) => [f, read(f)]),
);

interface Rule {
  /** Enclosing at-rules and the selector, outermost first. */
  path: string[];
  body: string;
}

/** Flat rules of a stylesheet (enough CSS for our own files: no strings containing braces). */
function rules(css: string): Rule[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const out: Rule[] = [];
  const stack: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') {
      stack.push(text.slice(start, i).trim());
      start = i + 1;
    } else if (ch === '}') {
      const body = text.slice(start, i).trim();
      if (body && !body.includes('{')) out.push({ path: [...stack], body });
      stack.pop();
      start = i + 1;
    } else if (ch === ';' && stack.length === 0) {
      start = i + 1; // @import …;
    }
  }
  return out;
}

function variables(body: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of body.matchAll(/(--[\w-]+)\s*:\s*([^;]+)/g)) vars[m[1] as string] = (m[2] as string).trim();
  return vars;
}

const rootVars = (css: string, selector: string, media?: string) =>
  Object.assign(
    {},
    ...rules(css)
      .filter((r) => r.path[r.path.length - 1] === selector && (media ? r.path[0] === media : r.path.length === 1))
      .map((r) => variables(r.body)),
  ) as Record<string, string>;

const dark = { ...rootVars(styles, ':root'), ...rootVars(theme, ':root') };
const pickedLight = { ...dark, ...rootVars(theme, ":root[data-theme='light']") };
const osLight = { ...dark, ...rootVars(theme, ":root:not([data-theme='dark'])", '@media (prefers-color-scheme: light)') };

function luminance(hex: string): number {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const channel = (i: number) => {
    const v = parseInt((m[1] as string).slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
}

const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

/** Text colours and the surfaces each is drawn on (styles.css, desktop.css). */
const TEXT_ON: Record<string, string[]> = {
  '--text': ['--bg', '--panel', '--panel-2', '--sunken', '--selected-bg', '--accent-bg', '--bad-bg', '--warn-bg', '--new-bg', '--changed-bg', '--closed-bg'],
  '--muted': ['--bg', '--panel', '--panel-2', '--sunken', '--selected-bg', '--closed-bg', '--new-bg', '--changed-bg'],
  '--accent': ['--bg', '--panel', '--panel-2', '--sunken', '--accent-bg'],
  '--accent-2': ['--bg', '--panel', '--panel-2', '--sunken', '--warn-bg'],
  '--in': ['--panel', '--panel-2', '--sunken'],
  '--out': ['--panel', '--panel-2', '--sunken'],
  '--ok': ['--bg', '--panel', '--panel-2', '--sunken'],
  '--bad': ['--bg', '--panel', '--panel-2', '--sunken', '--bad-bg'],
  '--on-accent': ['--accent'],
};

describe('themes', () => {
  it('defines the light palette identically for the OS preference and the manual choice', () => {
    expect(Object.keys(rootVars(theme, ":root[data-theme='light']")).length).toBeGreaterThan(20);
    expect(osLight).toEqual(pickedLight);
  });

  for (const [name, palette] of [
    ['dark', dark],
    ['light', pickedLight],
  ] as const) {
    it(`keeps every text colour at WCAG AA contrast in the ${name} theme`, () => {
      const failures: string[] = [];
      for (const [fg, surfaces] of Object.entries(TEXT_ON)) {
        for (const bg of surfaces) {
          const r = contrast(palette[fg] as string, palette[bg] as string);
          if (r < 4.5) failures.push(`${fg} on ${bg}: ${r.toFixed(2)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it('paints no literal colour outside the palettes (:root blocks)', () => {
    const literal = /#[0-9a-f]{3,8}\b|\brgba?\(|\bhsla?\(/i;
    const offenders: string[] = [];
    for (const [file, css] of Object.entries(sheets)) {
      if (file.endsWith('fonts.css')) continue;
      for (const r of rules(css)) {
        const selector = r.path[r.path.length - 1] as string;
        if (selector.startsWith(':root')) continue;
        for (const decl of r.body.split(';')) {
          // A translucent black shadow reads the same on either palette.
          const neutralShadow = /^\s*(box|text)-shadow\s*:/.test(decl) && decl.replace(/rgba\(\s*0\s*,\s*0\s*,\s*0\s*,\s*[\d.]+\s*\)/g, '').search(literal) < 0;
          if (literal.test(decl) && !neutralShadow) offenders.push(`${file}: ${selector} { ${decl.trim()} }`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
