/**
 * macOS entitlements (issue 10, finding 9b): the app and every helper are signed with our own plist,
 * which grants V8's JIT and nothing else. Without `mac.entitlements` / `mac.entitlementsInherit`,
 * electron-builder falls back to its template, which also grants allow-unsigned-executable-memory
 * and disable-library-validation (any dylib, signed by anyone, could then be loaded into the app).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const builderConfig = readFileSync(join(root, 'electron-builder.yml'), 'utf8');

/** The value of `key:` inside the top-level `mac:` block of electron-builder.yml (two-space indent). */
function macOption(key: string): string | null {
  const mac = /^mac:\n((?: {2}.*\n|\s*\n)*)/m.exec(builderConfig)?.[1] ?? '';
  return new RegExp(`^ {2}${key}: (.+)$`, 'm').exec(mac)?.[1]?.trim() ?? null;
}

/** Keys set to <true/> in a plist of booleans (what an entitlements file is). */
function grantedEntitlements(plist: string): string[] {
  return [...plist.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((m) => m[1]!);
}

describe('macOS entitlements', () => {
  it('sign the app and its helpers with our plist, never electron-builder’s template', () => {
    expect(macOption('hardenedRuntime')).toBe('true');
    expect(macOption('entitlements')).toBe('assets/entitlements.mac.plist');
    expect(macOption('entitlementsInherit')).toBe('assets/entitlements.mac.plist');
  });

  it('grant only allow-jit: no disable-library-validation, no unsigned executable memory', () => {
    const plist = readFileSync(join(root, 'assets', 'entitlements.mac.plist'), 'utf8');
    expect(grantedEntitlements(plist)).toEqual(['com.apple.security.cs.allow-jit']);
    expect(plist.match(/<key>/g)).toHaveLength(1); // nothing set to <false/> or a value either
  });
});
