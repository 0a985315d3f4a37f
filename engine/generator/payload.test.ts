/** The generator's per-message payload gives exactly what composeTemplate gives (the Send box's bytes). */
import { describe, expect, it } from 'vitest';
import { composeTemplate } from '../../shared/macros';
import { compilePayload } from './payload';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('generator payload', () => {
  it.each(['m{{counter}}\\n', 'a\\x41{{ counter }}\\r\\n{{date}} {{time}}', '\\{{counter}} stays', '{{{{counter}} literal', '\\\\{{counter}}', 'é{{counter}}\\u{1F600}'])(
    '%s is composed as the Send box composes it',
    (text) => {
      const payload = compilePayload({ text }, () => NOW);
      for (const counter of [1, 2, 10, 12345]) {
        const want = composeTemplate(text, { hex: false, lineEnding: 'none', macros: { counter, now: NOW } });
        expect(want.ok).toBe(true);
        expect(Buffer.from(payload(counter)).toString('hex')).toBe(Buffer.from((want as { bytes: Uint8Array }).bytes).toString('hex'));
      }
    },
  );

  it('hex, random bytes, and refusals', () => {
    expect(Buffer.from(compilePayload({ text: '41 42', hex: true }, () => NOW)(7)).toString()).toBe('AB');
    const random = compilePayload({ random: 32 }, () => NOW);
    expect(random(1)).toHaveLength(32);
    expect(Buffer.from(random(1)).equals(Buffer.from(random(2)))).toBe(false);
    expect(() => compilePayload({ text: '{{nope}}' }, () => NOW)).toThrow(/unknown macro/);
    expect(() => compilePayload({ text: 'zz', hex: true }, () => NOW)).toThrow(/hex/i);
  });
});
