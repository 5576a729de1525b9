import type { ComponentChildren } from 'preact';
import { describeError } from '../api.ts';
import type { AsyncState } from '../use-async.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state empty">{children}</div>;
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="state error" role="alert">
      <p>{describeError(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders loading and error states of an `AsyncState`, and `children` with the value once ready. */
export function Async<T>({
  result,
  what,
  retry,
  heading,
  children,
}: {
  result: AsyncState<T>;
  what: string;
  retry?: () => void;
  /** For a page whose heading comes with its value: the page's heading when the value cannot be read. */
  heading?: string;
  children: (value: T) => ComponentChildren;
}) {
  if (result.state === 'loading') return <Loading what={what} />;
  if (result.state === 'error')
    return (
      <>
        {heading && <h1 tabIndex={-1}>{heading}</h1>}
        <ErrorState error={result.error} {...(retry ? { retry } : {})} />
      </>
    );
  return <>{children(result.value)}</>;
}
