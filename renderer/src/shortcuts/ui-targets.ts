/**
 * Finds the controls a shortcut acts on by their accessible names — the same names
 * ../shared/ui-contract.md fixes for tests (`Search traffic`, `Save message`, `Send`, `Export
 * session`) — so a shortcut keeps working whichever component renders the control, and acts in the
 * workspace the person is in.
 */

export function accessibleName(el: Element): string {
  const labelledBy = el.getAttribute('aria-labelledby');
  if (labelledBy) {
    return labelledBy
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' ')
      .trim();
  }
  const label = el.getAttribute('aria-label');
  if (label) return label.trim();
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) {
    return (el.labels?.[0]?.textContent ?? '').trim();
  }
  return (el.textContent ?? '').trim();
}

const NOT_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image', 'hidden']);

/** Where typing means text: shortcuts without Mod stay out of these. */
export function isTextEntry(el: Element | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement) return !NOT_TEXT_INPUTS.has(el.type);
  return el instanceof HTMLElement && el.isContentEditable;
}

const visible = (el: Element) => el.getClientRects().length > 0;

/**
 * The part of the page a shortcut acts in: the workspace that holds the focus, else the first
 * workspace shown in the main pane, else the main pane.
 */
export function commandScope(): Element | null {
  const main = document.getElementById('main');
  if (!main) return null;
  const focused = document.activeElement?.closest('[role="region"]');
  if (focused && main.contains(focused)) return focused;
  return [...main.querySelectorAll('[role="region"]')].find(visible) ?? main;
}

function find<T extends HTMLElement>(scope: Element | null, selector: string, name: (n: string) => boolean): T | null {
  if (!scope) return null;
  return ([...scope.querySelectorAll<T>(selector)].find((el) => visible(el) && name(accessibleName(el))) ?? null) as T | null;
}

export const findButton = (scope: Element | null, name: string | ((n: string) => boolean)) =>
  find<HTMLButtonElement>(scope, 'button', typeof name === 'string' ? (n) => n === name : name);

export const findTextbox = (scope: Element | null, name: string) =>
  find<HTMLInputElement | HTMLTextAreaElement>(scope, 'input, textarea', (n) => n === name);

/** The composer's own Send button (not a saved message's `Send <name>`): the nearest one to its Message box. */
export function findSendButton(scope: Element | null): HTMLButtonElement | null {
  const message = findTextbox(scope, 'Message');
  const isSend = (n: string) => n === 'Send' || n === 'Send to all';
  for (let box: Element | null = message?.parentElement ?? null; box && scope?.contains(box); box = box.parentElement) {
    const button = findButton(box, isSend);
    if (button) return button;
  }
  return null;
}
