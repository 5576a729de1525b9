/**
 * JSON shown as text in a <pre>: whatever a tenant or receiver put in it is never parsed as markup. With a
 * label it is a named region of its own; without, it sits inside a section that already has its name.
 */
export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  const pre = <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
  return label ? <section aria-label={label}>{pre}</section> : pre;
}
