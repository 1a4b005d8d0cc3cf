import { TranslationBundle } from '@jupyterlab/translation';
import { Button, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  ApiError,
  getStatus,
  IDeployment,
  IGroup,
  IModelVersion,
  IStatus,
  listGroups
} from '../api';
import { ModelsSidebarModel } from '../model';
import { CompareView } from './CompareView';
import { showDeployDialog } from './DeployDialog';
import { DeploymentDetailView } from './DeploymentDetailView';
import { DeploymentsView } from './DeploymentsView';
import { GroupPicker } from './GroupPicker';
import { ModelList } from './ModelList';
import { StatusBanner } from './StatusBanner';
import { VersionDetailView } from './VersionDetailView';
import { VersionsView } from './VersionsView';

/** Where the panel is: which tab, and how deep into it. */
type View =
  | { kind: 'models' }
  | { kind: 'versions'; model: string }
  | { kind: 'version'; model: string; version: string }
  | { kind: 'compare'; model: string; versions: string[] }
  | { kind: 'deployments' }
  | { kind: 'deployment'; id: string; from?: View };

type Tab = 'models' | 'deployments';

function tabOf(view: View): Tab {
  return view.kind === 'deployments' || view.kind === 'deployment'
    ? 'deployments'
    : 'models';
}

interface IModelsPanelProps {
  model: ModelsSidebarModel;
  trans: TranslationBundle;
}

function messageOf(reason: unknown): string {
  return reason instanceof ApiError ? reason.message : String(reason);
}

function ModelsPanel(props: IModelsPanelProps): JSX.Element {
  const { model, trans } = props;
  const [groups, setGroups] = React.useState<IGroup[] | null>(null);
  const [configError, setConfigError] = React.useState<string | null>(null);
  const [group, setGroup] = React.useState<string | null>(null);
  const [status, setStatus] = React.useState<IStatus | null>(null);
  const [statusError, setStatusError] = React.useState<string | null>(null);
  const [checking, setChecking] = React.useState(false);
  const [loadError, setLoadError] = React.useState<string | null>(null);
  const [reload, setReload] = React.useState(0);
  const [settings, setSettings] = React.useState(model.settings);
  const [view, setView] = React.useState<View>({ kind: 'models' });

  React.useEffect(() => {
    const onRefresh = () => setReload(n => n + 1);
    const onSettings = () => setSettings(model.settings);
    model.refreshRequested.connect(onRefresh);
    model.settingsChanged.connect(onSettings);
    return () => {
      model.refreshRequested.disconnect(onRefresh);
      model.settingsChanged.disconnect(onSettings);
    };
  }, [model]);

  // The groups (and the default one) when the panel opens or is refreshed.
  React.useEffect(() => {
    const abort = new AbortController();
    setLoadError(null);
    listGroups(abort.signal)
      .then(list => {
        setGroups(list.groups);
        setConfigError(list.config_error ?? null);
        setGroup(current => {
          const names = list.groups.map(g => g.name);
          if (current && names.includes(current)) {
            return current;
          }
          const preferred = model.settings.defaultGroup;
          if (preferred && names.includes(preferred)) {
            return preferred;
          }
          return list.default ?? names[0] ?? null;
        });
      })
      .catch(reason => {
        if (!abort.signal.aborted) {
          setLoadError(messageOf(reason));
        }
      });
    return () => abort.abort();
  }, [model, reload]);

  // The chosen group's MLflow status.
  React.useEffect(() => {
    if (!group) {
      return;
    }
    const abort = new AbortController();
    setChecking(true);
    setStatusError(null);
    getStatus(group, abort.signal)
      .then(value => {
        setStatus(value);
        model.status = value;
      })
      .catch(reason => {
        if (!abort.signal.aborted) {
          setStatus(null);
          model.status = null;
          setStatusError(messageOf(reason));
        }
      })
      .finally(() => {
        if (!abort.signal.aborted) {
          setChecking(false);
        }
      });
    return () => abort.abort();
  }, [group, reload, model]);

  // Optional periodic re-check (settings: refreshInterval).
  React.useEffect(() => {
    if (!settings.refreshInterval) {
      return;
    }
    const timer = window.setInterval(
      () => setReload(n => n + 1),
      settings.refreshInterval * 1000
    );
    return () => window.clearInterval(timer);
  }, [settings.refreshInterval]);

  const retry = () => setReload(n => n + 1);

  React.useEffect(() => {
    model.group = group;
    if (!group || view.kind !== 'version') {
      model.currentVersion =
        model.currentVersion?.group === group ? model.currentVersion : null;
    }
  }, [model, group, view]);

  /** The Deploy dialog; on success the panel shows the deployment's detail. */
  const deploy = React.useCallback(
    async (options: {
      modelUri: string;
      modelName?: string;
      aliases?: string[];
      deploymentId?: string | null;
    }) => {
      const current = model.group;
      if (!current) {
        return;
      }
      const done: IDeployment | null = await showDeployDialog({
        group: current,
        trans,
        ...options
      });
      if (done) {
        setView(previous => ({
          kind: 'deployment',
          id: done.id,
          from: previous
        }));
      }
    },
    [model, trans]
  );

  // The palette's "Deploy Model Version": the version in view (or the last one seen).
  React.useEffect(() => {
    const onDeploy = () => {
      const v = model.currentVersion;
      void deploy(
        v && v.group === model.group
          ? {
              modelUri: `models:/${v.model}/${v.version}`,
              modelName: v.model,
              aliases: v.aliases
            }
          : { modelUri: '' }
      );
    };
    model.deployRequested.connect(onDeploy);
    return () => {
      model.deployRequested.disconnect(onDeploy);
    };
  }, [model, deploy]);

  const deployVersion = (v: IModelVersion) =>
    void deploy({
      modelUri: v.model_uri,
      modelName: v.name,
      aliases: v.aliases
    });
  const openVersion = (name: string, version: string) =>
    setView({ kind: 'version', model: name, version });
  const openDeployment = (id: string) =>
    setView(previous => ({ kind: 'deployment', id, from: previous }));

  const renderView = (current: string): JSX.Element => {
    switch (view.kind) {
      case 'models':
        return (
          <ModelList
            group={current}
            pageSize={settings.pageSize}
            reload={reload}
            onOpenModel={name => setView({ kind: 'versions', model: name })}
            trans={trans}
          />
        );
      case 'versions':
        return (
          <VersionsView
            key={`${current}/${view.model}/${reload}`}
            group={current}
            model={view.model}
            sidebar={model}
            onBack={() => setView({ kind: 'models' })}
            onOpenVersion={version => openVersion(view.model, version)}
            onOpenDeployment={openDeployment}
            onDeploy={deployVersion}
            onCompare={versions =>
              setView({ kind: 'compare', model: view.model, versions })
            }
            trans={trans}
          />
        );
      case 'version':
        return (
          <VersionDetailView
            key={reload}
            group={current}
            model={view.model}
            version={view.version}
            sidebar={model}
            onBack={() => setView({ kind: 'versions', model: view.model })}
            onOpenDeployment={openDeployment}
            onDeploy={deployVersion}
            trans={trans}
          />
        );
      case 'compare':
        return (
          <CompareView
            group={current}
            model={view.model}
            versions={view.versions}
            onBack={() => setView({ kind: 'versions', model: view.model })}
            onOpenVersion={version => openVersion(view.model, version)}
            trans={trans}
          />
        );
      case 'deployments':
        return (
          <DeploymentsView
            group={current}
            reload={reload}
            onOpenDeployment={openDeployment}
            onOpenVersion={openVersion}
            trans={trans}
          />
        );
      case 'deployment':
        return (
          <DeploymentDetailView
            key={`${view.id}/${reload}`}
            group={current}
            id={view.id}
            onBack={() =>
              setView(
                view.from && view.from.kind !== 'deployment'
                  ? view.from
                  : { kind: 'deployments' }
              )
            }
            onOpenVersion={openVersion}
            onUpdate={d =>
              void deploy({
                modelUri: d.model_uri,
                deploymentId: d.id
              })
            }
            onDeleted={() => setView({ kind: 'deployments' })}
            trans={trans}
          />
        );
    }
  };

  if (loadError) {
    return (
      <div className="jp-PrimeHubModels-panel">
        <div className="jp-PrimeHubModels-banner jp-mod-error" role="alert">
          <div className="jp-PrimeHubModels-bannerText">{loadError}</div>
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
      {configError && (
        <div className="jp-PrimeHubModels-banner jp-mod-warning" role="alert">
          {trans.__('Configuration error: %1', configError)}
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
            groups={groups}
            value={group}
            onChange={name => {
              setGroup(name);
              setView({ kind: 'models' });
            }}
            trans={trans}
          />
          <StatusBanner
            status={status}
            checking={checking}
            error={statusError}
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
                {(['models', 'deployments'] as Tab[]).map(tab => (
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
                {renderView(group)}
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
    readonly model: ModelsSidebarModel,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-PrimeHubModels-sidebar');
  }

  render(): JSX.Element {
    return <ModelsPanel model={this.model} trans={this._trans} />;
  }
}
