import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ApiError, IRegisteredModel, listModels } from '../api';

export interface IModelListProps {
  group: string;
  pageSize: number;
  reload: number;
  onOpenModel: (name: string) => void;
  trans: TranslationBundle;
}

/** The group's registered models, first page (the full browser grows from here). */
export function ModelList(props: IModelListProps): JSX.Element {
  const { group, pageSize, reload, onOpenModel, trans } = props;
  const [models, setModels] = React.useState<IRegisteredModel[] | null>(null);
  const [more, setMore] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);

  React.useEffect(() => {
    const abort = new AbortController();
    setModels(null);
    setError(null);
    listModels(group, { maxResults: pageSize }, abort.signal)
      .then(page => {
        setModels(page.models);
        setMore(page.next_page_token !== null);
      })
      .catch(reason => {
        if (!abort.signal.aborted) {
          setError(
            reason instanceof ApiError ? reason.message : String(reason)
          );
        }
      });
    return () => abort.abort();
  }, [group, pageSize, reload]);

  if (error) {
    return (
      <div className="jp-PrimeHubModels-empty" role="alert">
        {error}
      </div>
    );
  }
  if (models === null) {
    return (
      <div className="jp-PrimeHubModels-empty">
        {trans.__('Loading models…')}
      </div>
    );
  }
  if (models.length === 0) {
    return (
      <div className="jp-PrimeHubModels-empty">
        {trans.__(
          'No registered models yet. Register one from a notebook with mlflow.<flavor>.log_model(…, registered_model_name=…).'
        )}
      </div>
    );
  }
  return (
    <ul className="jp-PrimeHubModels-modelList" aria-label={trans.__('Models')}>
      {models.map(model => (
        <li key={model.name} className="jp-PrimeHubModels-modelRow">
          <button
            className="jp-PrimeHubModels-modelName jp-PrimeHubModels-link"
            onClick={() => onOpenModel(model.name)}
            title={trans.__('Open the versions of %1', model.name)}
          >
            {model.name}
          </button>
          {model.latest_version !== null && (
            <span className="jp-PrimeHubModels-chip">
              {trans.__('v%1', model.latest_version)}
            </span>
          )}
        </li>
      ))}
      {more && (
        <li className="jp-PrimeHubModels-more">
          {trans.__('More models are in MLflow than shown here.')}
        </li>
      )}
    </ul>
  );
}
