import { TranslationBundle } from '@jupyterlab/translation';
import { Button, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IDeployment } from '../api';
import { PrimeHubModelsModel } from '../model';
import { GroupPicker } from './GroupPicker';
import { TABS, tabOf, View } from './navigation';
import { StatusBanner } from './StatusBanner';
import { useDeployFlow } from './useDeployFlow';
import { useModelState } from './useModelState';
import { ViewSwitch } from './ViewSwitch';

interface IModelsPanelProps {
  model: PrimeHubModelsModel;
  trans: TranslationBundle;
}

/** The sidebar's layout: header, group picker, status banner, tabs and the view. */
function ModelsPanel(props: IModelsPanelProps): JSX.Element {
  const { model, trans } = props;
  useModelState(model);
  const [view, setView] = React.useState<View>({ kind: 'models' });
  const onDeployed = React.useCallback(
    (done: IDeployment) =>
      setView(previous => ({
        kind: 'deployment',
        id: done.id,
        from: previous
      })),
    []
  );
  const { deploy, deployVersion } = useDeployFlow(model, trans, onDeployed);
  const { groups, group, status } = model;
  const retry = () => model.refresh();

  if (model.loadError) {
    return (
      <div className="jp-PrimeHubModels-panel">
        <div className="jp-PrimeHubModels-banner jp-mod-error" role="alert">
          <div className="jp-PrimeHubModels-bannerText">{model.loadError}</div>
          <Button small onClick={retry}>
            {trans.__('Retry')}
          </Button>
        </div>
      </div>
    );
  }
  if (groups === null) {
    return (
      <div className="jp-PrimeHubModels-panel">
        <div className="jp-PrimeHubModels-empty">{trans.__('Loading…')}</div>
      </div>
    );
  }
  return (
    <div className="jp-PrimeHubModels-panel">
      <header className="jp-PrimeHubModels-header">
        <h2 className="jp-PrimeHubModels-title">{trans.__('Models')}</h2>
        {status?.ui_url && status.mlflow !== 'not_configured' && (
          <Button
            small
            minimal
            title={trans.__('Open the MLflow UI in a new tab')}
            onClick={() =>
              window.open(status.ui_url ?? '', '_blank', 'noopener,noreferrer')
            }
          >
            {trans.__('MLflow UI')}
          </Button>
        )}
      </header>
      {model.configError && (
        <div className="jp-PrimeHubModels-banner jp-mod-warning" role="alert">
          {trans.__('Configuration error: %1', model.configError)}
        </div>
      )}
      {groups.length === 0 ? (
        <div className="jp-PrimeHubModels-empty">
          {trans.__(
            'No groups are configured. Set c.PrimeHubModels.groups or groups_file in jupyter_server_config.py.'
          )}
        </div>
      ) : (
        <>
          <GroupPicker
            groups={[...groups]}
            value={group}
            onChange={name => {
              model.selectGroup(name);
              setView({ kind: 'models' });
            }}
            trans={trans}
          />
          <StatusBanner
            status={status}
            checking={model.checking}
            error={model.statusError}
            onRetry={retry}
            trans={trans}
          />
          {group && status?.mlflow === 'ok' && (
            <>
              <div
                className="jp-PrimeHubModels-tabs"
                role="tablist"
                aria-label={trans.__('Views')}
              >
                {TABS.map(tab => (
                  <button
                    key={tab}
                    role="tab"
                    aria-selected={tabOf(view) === tab}
                    className="jp-PrimeHubModels-tab"
                    onClick={() => setView({ kind: tab })}
                  >
                    {tab === 'models'
                      ? trans.__('Models')
                      : trans.__('Deployments')}
                  </button>
                ))}
              </div>
              <div className="jp-PrimeHubModels-body" role="tabpanel">
                <ViewSwitch
                  view={view}
                  setView={setView}
                  group={group}
                  model={model}
                  deploy={deploy}
                  deployVersion={deployVersion}
                  trans={trans}
                />
              </div>
            </>
          )}
        </>
      )}
    </div>
  );
}

/** The left-sidebar widget. */
export class ModelsSidebar extends ReactWidget {
  constructor(
    readonly model: PrimeHubModelsModel,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-PrimeHubModels-sidebar');
  }

  render(): JSX.Element {
    return <ModelsPanel model={this.model} trans={this._trans} />;
  }
}
