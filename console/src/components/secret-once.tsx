import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** A signing secret the API shows once: focused, selectable, with a plain warning that it will not be shown again. */
export function SecretOnce({ secret, note }: { secret: string; note?: ComponentChildren }) {
  const box = useRef<HTMLElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <section class="secret" tabIndex={-1} ref={box} aria-label="Signing secret">
      <p>
        <strong>Copy the signing secret now: it is not shown again.</strong>
        {note ? <> {note}</> : null}
      </p>
      <code class="secret-value" data-testid="secret">
        {secret}
      </code>
    </section>
  );
}
