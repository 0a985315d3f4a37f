import { defineConfig } from '@playwright/test';
import type { AppMode } from './e2e/fixtures';

/**
 * One e2e suite, two ways to run the app: `browser` (browser mode in Debian's Chromium; always)
 * and `electron` (the real desktop app via Playwright's _electron; skipped, with the reason,
 * when no Electron binary is installed). See e2e/fixtures.ts.
 */
export default defineConfig<{ appMode: AppMode }>({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // Two cores: real sockets, a browser and peers per test; one worker keeps timings honest.
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: { trace: 'retain-on-failure' },
  projects: [
    { name: 'browser', use: { appMode: 'browser' } },
    { name: 'electron', use: { appMode: 'electron' } },
  ],
});
