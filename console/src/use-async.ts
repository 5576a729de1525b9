import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type AsyncState<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ready'; value: T };

/**
 * Runs `load` when a dependency changes and on `reload()`; an answer to an older run is dropped, so a
 * slow response never overwrites a newer one. A reload keeps showing the current value until the new
 * one arrives, so the page (and the outcome message of the action that asked for it) stays in place.
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): [AsyncState<T>, () => void] {
  const [result, setResult] = useState<AsyncState<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reloading = useRef(false);
  useEffect(() => {
    let current = true;
    if (!reloading.current) setResult({ state: 'loading' });
    reloading.current = false;
    load().then(
      (value) => current && setResult({ state: 'ready', value }),
      (error: unknown) => current && setResult({ state: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => {
    reloading.current = true;
    setGeneration((g) => g + 1);
  }, []);
  return [result, reload];
}
