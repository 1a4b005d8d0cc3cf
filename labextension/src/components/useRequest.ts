import * as React from 'react';

import { messageOf } from '../api';

export interface IRequestState<T> {
  data: T | null;
  error: string | null;
}

/**
 * Runs ``load`` whenever ``deps`` change; a change (or leaving the view) aborts the
 * request in flight, so a slow answer never lands in the wrong view.
 */
export function useRequest<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: React.DependencyList
): IRequestState<T> {
  const [state, setState] = React.useState<IRequestState<T>>({
    data: null,
    error: null
  });
  React.useEffect(() => {
    const abort = new AbortController();
    setState({ data: null, error: null });
    load(abort.signal)
      .then(data => setState({ data, error: null }))
      .catch(reason => {
        if (!abort.signal.aborted) {
          setState({
            data: null,
            error: messageOf(reason)
          });
        }
      });
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
