/** A time in the viewer's time zone, with the exact UTC time on hover (and for screen readers, `dateTime`). */
export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  const local = date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  return (
    <time dateTime={date.toISOString()} title={`${date.toISOString().replace('T', ' ').replace('Z', ' UTC')}`}>
      {local}
    </time>
  );
}
