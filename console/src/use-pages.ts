import type { Page } from '@hookport/sdk';
import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Pages<T> {
  items: T[];
  state: 'loading' | 'ready' | 'error';
  error: unknown;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/**
 * A cursor-paged list: the first page when `key` changes (a new filter), then one more page per
 * `loadMore()`. Answers to a superseded key are dropped.
 */
export function usePages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, key: string): Pages<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<Pages<T>['state']>('loading');
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const [token, setToken] = useState(0);

  const load = useCallback(
    (from: string | undefined, append: boolean, run: number, isCurrent: () => boolean) => {
      setState('loading');
      fetchPage(from).then(
        (page) => {
          if (!isCurrent()) return;
          setItems((previous) => (append ? [...previous, ...page.data] : page.data));
          setCursor(page.nextCursor);
          setState('ready');
          setToken(run);
        },
        (err: unknown) => {
          if (!isCurrent()) return;
          setError(err);
          setState('error');
        },
      );
    },
    [fetchPage],
  );
  useEffect(() => {
    let current = true;
    setItems([]);
    setCursor(null);
    load(undefined, false, generation, () => current);
    return () => {
      current = false;
    };
  }, [key, generation]);

  return {
    items,
    state,
    error,
    hasMore: cursor !== null,
    loadMore: () => {
      if (cursor !== null) load(cursor, true, token, () => true);
    },
    reload: () => setGeneration((g) => g + 1),
  };
}
