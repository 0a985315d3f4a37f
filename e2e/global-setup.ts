// @ts-expect-error — plain ESM helper without types, shared with scripts/start-electron.mjs
import { ELECTRON_MISSING_REASON, electronBinaryPath } from '../scripts/electron-binary.mjs';

/** Says once, up front, why the Electron project's tests will be reported as skipped. */
export default function globalSetup(): void {
  const binary = electronBinaryPath() as string | null;
  console.log(binary ? `e2e [electron]: running against ${binary}` : `e2e [electron]: every test skipped — ${ELECTRON_MISSING_REASON as string}`);
}
