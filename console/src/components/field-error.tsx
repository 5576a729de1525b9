/**
 * A field's error messages, linked to the field by `aria-describedby` (its id is `<field id>-error`) so a
 * screen reader reads them with the field; the field sets `aria-invalid` (see `invalidProps`).
 */
export function FieldError({ id, messages }: { id: string; messages: readonly string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <p id={`${id}-error`} class="field-error">
      {messages.join('; ')}
    </p>
  );
}

/** The attributes tying a field to its `FieldError` and its hint (if any). */
export function invalidProps(id: string, messages: readonly string[] | undefined, hintId?: string) {
  const invalid = messages !== undefined && messages.length > 0;
  const describedBy = [invalid ? `${id}-error` : null, hintId ?? null].filter(Boolean).join(' ');
  return {
    'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': describedBy === '' ? undefined : describedBy,
  };
}
