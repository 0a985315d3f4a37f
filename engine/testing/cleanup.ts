/** Every peer a test starts is stopped by `cleanupPeers()` after the test (useTestHosts calls it). */
const cleanups: (() => void | Promise<void>)[] = [];
export function track(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}
export async function cleanupPeers(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch {
      // best effort
    }
  }
}
