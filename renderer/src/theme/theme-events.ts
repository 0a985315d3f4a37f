/**
 * "The colours just changed" — a person picked another theme, or the OS switched between light
 * and dark while the choice is System. Canvas drawings (the charts) listen, since they
 * cannot follow CSS variables by themselves.
 */
import { useSyncExternalStore } from 'react';

let version = 0;
const listeners = new Set<() => void>();
/** Read once per theme: charts ask on every draw, and a style read can force a recalculation. */
const colors = new Map<string, string>();

export function notifyThemeChanged(): void {
  version++;
  colors.clear();
  for (const l of listeners) l();
}

export function subscribeTheme(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Changes whenever the colours do: a dependency for effects that draw with them. */
export function useThemeVersion(): number {
  return useSyncExternalStore(subscribeTheme, () => version);
}

/** A colour custom property's current value (theme.css / styles.css), or `fallback` if unset. */
export function cssColor(property: string, fallback: string): string {
  let value = colors.get(property);
  if (value === undefined) {
    value = getComputedStyle(document.documentElement).getPropertyValue(property).trim() || fallback;
    colors.set(property, value);
  }
  return value;
}
