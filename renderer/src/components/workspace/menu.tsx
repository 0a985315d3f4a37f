import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A small drop-down (a <details> with its summary as the button) that closes when a choice is
 * made, on a click elsewhere, or on Escape — as menus do.
 */
export function Menu({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const close = (e: Event) => {
      const el = ref.current;
      if (!el?.open) return;
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !el.contains(e.target as Node)) el.open = false;
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, []);
  return (
    <details ref={ref} className={`menu ${className ?? ''}`}>
      <summary>{label}</summary>
      <div
        className="menu-items"
        onClick={(e) => {
          if ((e.target as HTMLElement).closest('button') && ref.current) ref.current.open = false;
        }}
      >
        {children}
      </div>
    </details>
  );
}
