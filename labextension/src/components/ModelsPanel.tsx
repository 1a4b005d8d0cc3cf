import { TranslationBundle } from '@jupyterlab/translation';
import { Button, ReactWidget } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { ApiError, getStatus, IGroup, IStatus, listGroups } from '../api';
import { DEFAULT_SETTINGS, ISidebarSettings } from '../tokens';
import { GroupPicker } from './GroupPicker';
import { ModelList } from './ModelList';
import { StatusBanner } from './StatusBanner';
import { VersionDetailView } from './VersionDetailView';
import { VersionsView } from './VersionsView';

/** Where the panel is: the models list, one model's versions, or one version. */
type View =
  | { kind: 'models' }
  | { kind: 'versions'; model: string }
  | { kind: 'version'; model: string; version: string };

interface IModelsPanelProps {
  model: ModelsSidebarModel;
  trans: TranslationBundle;
}

/** What the sidebar shows and what commands can ask of it. */
export class ModelsSidebarModel {
  private _settings: ISidebarSettings = DEFAULT_SETTINGS;
  private _refreshRequested = new Signal<this, void>(this);
  private _settingsChanged = new Signal<this, void>(this);
  private _status: IStatus | null = null;

  get settings(): ISidebarSettings {
    return this._settings;
  }

  set settings(value: ISidebarSettings) {
    this._settings = value;
    this._settingsChanged.emit();
  }

  get refreshRequested(): ISignal<this, void> {
    return this._refreshRequested;
  }

  get settingsChanged(): ISignal<this, void> {
    return this._settingsChanged;
  }

  /** The current group's last known status (for "Open MLflow UI"). */
  get status(): IStatus | null {
    return this._status;
  }

  set status(value: IStatus | null) {
    this._status = value;
  }

  refresh(): void {
    this._refreshRequested.emit();
  }
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
          {group && status?.mlflow === 'ok' && view.kind === 'models' && (
            <ModelList
              group={group}
              pageSize={settings.pageSize}
              reload={reload}
              onOpenModel={name => setView({ kind: 'versions', model: name })}
              trans={trans}
            />
          )}
          {group && status?.mlflow === 'ok' && view.kind === 'versions' && (
            <VersionsView
              group={group}
              model={view.model}
              onBack={() => setView({ kind: 'models' })}
              onOpenVersion={version =>
                setView({ kind: 'version', model: view.model, version })
              }
              trans={trans}
            />
          )}
          {group && status?.mlflow === 'ok' && view.kind === 'version' && (
            <VersionDetailView
              group={group}
              model={view.model}
              version={view.version}
              onBack={() => setView({ kind: 'versions', model: view.model })}
              trans={trans}
            />
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
