import { useId } from 'react';

/** A compact labelled select for toolbars: the label beside it, not above (the field's name is the label alone). */
export function InlineSelect<T extends string>({
  label,
  value,
  options,
  onChange,
  title,
}: {
  label: string;
  value: T;
  options: readonly { value: NoInfer<T>; label: string }[];
  onChange: (v: NoInfer<T>) => void;
  title?: string;
}) {
  const id = useId();
  return (
    <div className="inline-field" title={title}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
