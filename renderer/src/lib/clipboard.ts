import { useStore } from '../store/store';

/** navigator.clipboard needs a secure context and focus; a hidden textarea + execCommand covers the rest. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // fall through to the older way
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'sr-only';
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    useStore.getState().reportError('Could not copy to the clipboard');
    return false;
  } finally {
    area.remove();
  }
}
