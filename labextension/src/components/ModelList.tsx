import { TranslationBundle } from '@jupyterlab/translation';
import { Button, InputGroup, searchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IRegisteredModel, listModels, messageOf } from '../api';
import { exactTime, relativeTime } from './time';
import { useVirtualRows } from './useVirtualRows';

export interface IModelListProps {
  group: string;
  pageSize: number;
  reload: number;
  onOpenModel: (name: string) => void;
  trans: TranslationBundle;
}

/** Row height in pixels (CSS: .jp-PrimeHubModels-modelRow). */
export const MODEL_ROW_HEIGHT = 52;
const SEARCH_DELAY_MS = 300;
/** Fetch the next page when this few loaded rows are left below the viewport. */
const PREFETCH_ROWS = 30;

interface IListState {
  models: IRegisteredModel[];
  next: string | null;
  done: boolean;
}

const EMPTY: IListState = { models: [], next: null, done: false };

function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = React.useState(value);
  React.useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/**
 * The group's registered models: searchable by name, scrolled through MLflow's page
 * tokens as the user reaches the end, and virtualized (only the rows in view exist).
 */
export function ModelList(props: IModelListProps): JSX.Element {
  const { group, pageSize, reload, onOpenModel, trans } = props;
  const [text, setText] = React.useState('');
  const search = useDebounced(text.trim(), SEARCH_DELAY_MS);
  const [list, setList] = React.useState<IListState>(EMPTY);
  const [loading, setLoading] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const [want, setWant] = React.useState<{ token: string | null; n: number }>({
    token: null,
    n: 0
  });
  const rows = useVirtualRows(list.models.length, MODEL_ROW_HEIGHT);

  // A new group, search or refresh starts from the first page.
  React.useEffect(() => {
    setList(EMPTY);
    setWant(previous => ({ token: null, n: previous.n + 1 }));
    rows.ref.current?.scrollTo({ top: 0 });
  }, [group, search, pageSize, reload, rows.ref]);

  React.useEffect(() => {
    if (want.n === 0) {
      return;
    }
    const abort = new AbortController();
    setLoading(true);
    setError(null);
    listModels(
      group,
      { search, pageToken: want.token, maxResults: pageSize },
      abort.signal
    )
      .then(page => {
        setList(previous => ({
          models: want.token
            ? [...previous.models, ...page.models]
            : page.models,
          next: page.next_page_token,
          done: page.next_page_token === null
        }));
      })
      .catch(reason => {
        if (!abort.signal.aborted) {
          setError(messageOf(reason));
        }
      })
      .finally(() => {
        if (!abort.signal.aborted) {
          setLoading(false);
        }
      });
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [want]);

  // Near the end of what is loaded: ask for the next page.
  const { next } = list;
  React.useEffect(() => {
    if (
      next &&
      !loading &&
      !error &&
      rows.end + PREFETCH_ROWS >= list.models.length
    ) {
      setWant(previous =>
        previous.token === next ? previous : { token: next, n: previous.n + 1 }
      );
    }
  }, [next, loading, error, rows.end, list.models.length]);

  const searchBox = (
    <InputGroup
      type="search"
      className="jp-PrimeHubModels-search"
      placeholder={trans.__('Search models by name')}
      aria-label={trans.__('Search models by name')}
      value={text}
      onChange={event => setText(event.currentTarget.value)}
      rightIcon={searchIcon}
    />
  );

  let status: JSX.Element | null = null;
  if (error) {
    status = (
      <div className="jp-PrimeHubModels-banner jp-mod-error" role="alert">
        <div className="jp-PrimeHubModels-bannerText">{error}</div>
        <Button
          small
          onClick={() =>
            setWant(previous => ({ token: previous.token, n: previous.n + 1 }))
          }
        >
          {trans.__('Retry')}
        </Button>
      </div>
    );
  } else if (list.done && list.models.length === 0) {
    status = (
      <div className="jp-PrimeHubModels-empty">
        {search
          ? trans.__('No model name contains “%1”.', search)
          : trans.__(
              'No registered models yet. Register one from a notebook with mlflow.<flavor>.log_model(…, registered_model_name=…).'
            )}
      </div>
    );
  } else if (list.models.length === 0) {
    status = (
      <div className="jp-PrimeHubModels-empty">
        {trans.__('Loading models…')}
      </div>
    );
  }

  const visible = list.models.slice(rows.start, rows.end);
  return (
    <div className="jp-PrimeHubModels-modelBrowser">
      {searchBox}
      {status}
      <div
        className="jp-PrimeHubModels-modelScroller"
        ref={rows.ref}
        onScroll={rows.onScroll}
        hidden={list.models.length === 0}
      >
        <ul
          className="jp-PrimeHubModels-modelList"
          aria-label={trans.__('Models')}
          aria-rowcount={list.done ? list.models.length : -1}
          style={{ height: list.models.length * MODEL_ROW_HEIGHT }}
        >
          {visible.map((model, i) => (
            <ModelRow
              key={model.name}
              model={model}
              top={(rows.start + i) * MODEL_ROW_HEIGHT}
              onOpen={onOpenModel}
              trans={trans}
            />
          ))}
        </ul>
        {loading && list.models.length > 0 && (
          <div className="jp-PrimeHubModels-more" role="status">
            {trans.__('Loading more models…')}
          </div>
        )}
      </div>
      {list.models.length > 0 && (
        <div className="jp-PrimeHubModels-count" aria-live="polite">
          {list.done
            ? trans._n('%1 model', '%1 models', list.models.length)
            : trans.__(
                '%1 models loaded, more as you scroll',
                list.models.length
              )}
        </div>
      )}
    </div>
  );
}

function ModelRow(props: {
  model: IRegisteredModel;
  top: number;
  onOpen: (name: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, top, onOpen, trans } = props;
  const chips = [
    ...Object.keys(model.aliases).map(alias => `@${alias}`),
    ...Object.entries(model.tags).map(([k, v]) => `${k}: ${v}`)
  ];
  return (
    <li className="jp-PrimeHubModels-modelRow" style={{ top }}>
      <button
        className="jp-PrimeHubModels-modelButton"
        aria-label={model.name}
        onClick={() => onOpen(model.name)}
        title={trans.__('Open the versions of %1', model.name)}
      >
        <span className="jp-PrimeHubModels-modelName">{model.name}</span>
        <span className="jp-PrimeHubModels-modelMeta">
          {model.latest_version !== null && (
            <span className="jp-PrimeHubModels-chip jp-mod-version">
              {trans.__('v%1', model.latest_version)}
            </span>
          )}
          <span title={exactTime(model.last_updated_timestamp)}>
            {relativeTime(model.last_updated_timestamp)}
          </span>
          {chips.map(chip => (
            <span key={chip} className="jp-PrimeHubModels-chip">
              {chip}
            </span>
          ))}
        </span>
      </button>
    </li>
  );
}
