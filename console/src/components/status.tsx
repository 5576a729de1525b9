/** A status word with a colour; the word itself carries the meaning, the colour only repeats it. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}
