import type { ComponentProps } from 'react';
import { Select } from '../forms/fields';

/** A compact labelled select for toolbars: the label beside it, not above (the field's name is the label alone). */
export function InlineSelect<T extends string>(props: Omit<ComponentProps<typeof Select<T>>, 'inline'>) {
  return <Select {...props} inline />;
}
