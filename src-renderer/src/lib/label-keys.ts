/**
 * The labeling keyboard map (README, "The app"), shared by the audit and the blind
 * study view: 1..9 toggle the schema's categories (by their keys, else in order), 0 sets
 * none, Enter / ArrowRight / j next, ArrowLeft / k previous, Ctrl+Z / Cmd+Z undo, and
 * n jumps to the note. Keys typed into a field are left to the field.
 */
export type LabelKeyAction =
  | { kind: 'undo' }
  | { kind: 'next' }
  | { kind: 'previous' }
  | { kind: 'none' }
  | { kind: 'note' }
  | { kind: 'toggle'; category: string };

interface KeyedCategory {
  name: string;
  key: string | null;
}

export function labelKeyAction(event: KeyboardEvent, schema: readonly KeyedCategory[]): LabelKeyAction | null {
  if (event.defaultPrevented || event.altKey) return null;
  const target = event.target;
  if (target instanceof HTMLElement && target.closest('input, textarea, select, [contenteditable]')) return null;
  const mod = event.ctrlKey || event.metaKey;
  if (mod) return (event.key === 'z' || event.key === 'Z') && !event.shiftKey ? { kind: 'undo' } : null;
  const key = event.key;
  if (key === 'Enter' || key === 'ArrowRight' || key === 'j') return { kind: 'next' };
  if (key === 'ArrowLeft' || key === 'k') return { kind: 'previous' };
  if (key === '0') return { kind: 'none' };
  if (key === 'n') return { kind: 'note' };
  if (/^[1-9]$/.test(key)) {
    const category = schema.find((c) => c.key === key) ?? (schema.some((c) => c.key) ? undefined : schema[Number(key) - 1]);
    if (category) return { kind: 'toggle', category: category.name };
  }
  return null;
}
