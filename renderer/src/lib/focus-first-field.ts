/**
 * Dialogs open with the focus in their first field, so a person can type at once. `showModal()`
 * alone focuses the first focusable element, which is often a checkbox or a Cancel button.
 */
const TEXT_ENTRY = 'input:not([type]), input[type="text"], input[type="search"], input[type="number"], input[type="url"], textarea, select';
const FOCUSABLE = 'button, input, select, textarea, [tabindex]:not([tabindex="-1"])';

const usable = (el: HTMLElement) => !el.matches(':disabled') && !el.hidden && el.getClientRects().length > 0;

export function focusFirstField(container: HTMLElement): void {
  const field =
    [...container.querySelectorAll<HTMLElement>(TEXT_ENTRY)].find(usable) ??
    [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].find(usable);
  field?.focus();
}
