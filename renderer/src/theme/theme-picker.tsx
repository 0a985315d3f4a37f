import { useStore } from '../store/store';
import type { ThemeChoice } from '../store/ui-slice';

const OPTIONS: { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** The top bar's theme choice: follow the OS, or always light / dark. */
export function ThemePicker() {
  const theme = useStore((s) => s.theme);
  const setTheme = useStore((s) => s.setTheme);
  return (
    <label className="theme-picker">
      <span className="muted">Theme</span>
      <select value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)}>
        {OPTIONS.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
