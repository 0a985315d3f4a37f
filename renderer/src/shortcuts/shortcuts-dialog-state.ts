import { create } from 'zustand';

/** Whether the Keyboard shortcuts dialog is open: set by its button, F1 / `?` and the Help menu. */
export const shortcutsDialog = create<{ open: boolean; setOpen(open: boolean): void }>()((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
}));
