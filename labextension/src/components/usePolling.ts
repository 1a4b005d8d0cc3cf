import * as React from 'react';

import { messageOf } from '../api';

export interface IPolled<T> {
  data: T | null;
  error: string | null;
  /** Fetch now (after an action), without waiting for the next tick. */
  refresh: () => void;
}

/**
 * Loads now and again every ``interval(data)`` milliseconds (null: stop polling), while
 * the view is open; leaving the view or changing ``deps`` aborts what is in flight.
 */
export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  interval: (data: T | null) => number | null,
  deps: React.DependencyList
): IPolled<T> {
  const [data, setData] = React.useState<T | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [tick, setTick] = React.useState(0);
  const latest = React.useRef<T | null>(null);

  React.useEffect(() => {
    setData(null);
    latest.current = null;
    setError(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  React.useEffect(() => {
    const abort = new AbortController();
    let timer: number | undefined;
    load(abort.signal)
      .then(value => {
        latest.current = value;
        setData(value);
        setError(null);
      })
      .catch(reason => {
        if (!abort.signal.aborted) {
          setError(messageOf(reason));
        }
      })
      .finally(() => {
        if (abort.signal.aborted) {
          return;
        }
        const wait = interval(latest.current);
        if (wait !== null) {
          timer = window.setTimeout(() => setTick(n => n + 1), wait);
        }
      });
    return () => {
      abort.abort();
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const refresh = React.useCallback(() => setTick(n => n + 1), []);
  return { data, error, refresh };
}
