/**
 * What each shortcut and menu command does in the UI. Commands on the app's own state go through
 * the store; those that act on a control another part of the UI owns (the composer's Send, Save
 * message, Search traffic, Export session) press or focus that control, found by its contract name.
 */
import type { ShortcutCommand } from '../../../shared/app-commands';
import { useStore } from '../store/store';
import { shortcutsDialog } from './shortcuts-dialog-state';
import { commandScope, findButton, findSendButton, findTextbox } from './ui-targets';

/** Acted, or the command is ours and the browser's own meaning of the key must not happen. */
type Outcome = 'done' | 'not-here';

function focusText(el: HTMLInputElement | HTMLTextAreaElement | null): Outcome {
  if (!el) return 'not-here';
  el.focus();
  el.select();
  return 'done';
}

function press(button: HTMLButtonElement | null): Outcome {
  if (!button || button.disabled) return 'not-here';
  button.click();
  return 'done';
}

function showEndpointAt(pick: (order: string[], current: number) => number): Outcome {
  const s = useStore.getState();
  const order = s.endpointOrder;
  if (order.length === 0) return 'not-here';
  const current = s.selectedEndpointId ? order.indexOf(s.selectedEndpointId) : -1;
  const id = order[pick(order, current)];
  if (id === undefined) return 'not-here';
  s.focusEndpoint(id);
  return 'done';
}

export function runCommand(command: ShortcutCommand, index = 0): Outcome {
  const s = useStore.getState();
  switch (command) {
    case 'new-listener':
      s.openForm('listener');
      return 'done';
    case 'new-connection':
      s.openForm('connection');
      return 'done';
    case 'new-udp-endpoint':
      s.openForm('udp');
      return 'done';
    case 'search-traffic':
      // In System sockets "search" is its Filter box.
      return s.view === 'system-sockets' ? focusText(findTextbox(commandScope(), 'Filter')) : focusText(findTextbox(commandScope(), 'Search traffic'));
    case 'send-message':
      return press(findSendButton(commandScope()));
    case 'save-message':
      return press(findButton(commandScope(), 'Save message'));
    case 'next-endpoint':
      return showEndpointAt((order, i) => Math.min(order.length - 1, i + 1));
    case 'previous-endpoint':
      return showEndpointAt((_order, i) => Math.max(0, i - 1));
    case 'select-endpoint':
      return showEndpointAt(() => index);
    case 'show-endpoints':
      s.setView('endpoints');
      return 'done';
    case 'show-system-sockets':
      s.setView('system-sockets');
      return 'done';
    case 'keyboard-shortcuts':
      shortcutsDialog.getState().setOpen(true);
      return 'done';
    case 'export-session':
      return press(findButton(document.body, 'Export session'));
    case 'import-session':
      return press(findButton(document.body, 'Import session'));
  }
}
