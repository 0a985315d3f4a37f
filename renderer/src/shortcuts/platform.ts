/** macOS (and iPadOS with a keyboard): Mod is Cmd there. */
export function isMacPlatform(): boolean {
  const uaPlatform = (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData?.platform;
  return /mac|iphone|ipad/i.test(uaPlatform || navigator.platform || navigator.userAgent);
}
