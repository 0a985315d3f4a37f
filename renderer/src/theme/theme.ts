/**
 * Applies the theme choice (ui-slice `theme`: System / Light / Dark) to <html data-theme>, which
 * theme.css keys on. The session file is where the choice is kept (the SESSIONS part persists the
 * ui-slice); localStorage holds a copy only so a reload paints in the right colours before the
 * engine's answer arrives.
 */
import { useStore } from '../store/store';
import type { ThemeChoice } from '../store/ui-slice';
import { notifyThemeChanged } from './theme-events';

const CACHE_KEY = 'sockscope.theme';
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

function cachedChoice(): ThemeChoice | null {
  try {
    const v = localStorage.getItem(CACHE_KEY);
    return CHOICES.includes(v as ThemeChoice) ? (v as ThemeChoice) : null;
  } catch {
    return null; // storage disabled: the session still restores the choice
  }
}

function cache(choice: ThemeChoice): void {
  try {
    localStorage.setItem(CACHE_KEY, choice);
  } catch {
    // storage disabled or full: only the early paint is affected
  }
}

function apply(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  notifyThemeChanged();
}

export function startTheme(): void {
  const cached = cachedChoice();
  if (cached) useStore.getState().setTheme(cached);
  apply(useStore.getState().theme);
  useStore.subscribe((s, prev) => {
    if (s.theme === prev.theme) return;
    apply(s.theme);
    cache(s.theme);
  });
  // With System, an OS switch (e.g. at sunset) changes the colours too.
  window.matchMedia('(prefers-color-scheme: light)').addEventListener('change', () => {
    if (useStore.getState().theme === 'system') notifyThemeChanged();
  });
}
