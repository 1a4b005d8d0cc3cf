/** The plugin's public surface: its token, command ids and settings. */
import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import type * as api from './api';
import type { IGroup, IStatus } from './api';

export const PLUGIN_ID = 'jupyter-primehub-models:plugin';

export const CommandIDs = {
  open: 'primehub-models:open',
  refresh: 'primehub-models:refresh',
  openMlflowUi: 'primehub-models:open-mlflow-ui',
  deployVersion: 'primehub-models:deploy-version',
  openModel: 'primehub-models:open-model',
  openVersion: 'primehub-models:open-version',
  openDeployment: 'primehub-models:open-deployment',
  notebookModels: 'primehub-models:notebook-models',
  copyLink: 'primehub-models:copy-link'
} as const;

/** Commands of the plugin's own wiring (the layout restorer, the router): not in the palette. */
export const InternalCommandIDs = {
  openPage: 'primehub-models:open-page',
  openLink: 'primehub-models:open-link'
} as const;

/** User settings of the sidebar (schema/plugin.json). */
export interface ISidebarSettings {
  defaultGroup: string;
  pageSize: number;
  refreshInterval: number;
}

export const DEFAULT_SETTINGS: ISidebarSettings = {
  defaultGroup: '',
  pageSize: 100,
  refreshInterval: 0
};

/** The version the sidebar shows, for commands that act on "the current version". */
export interface ICurrentVersion {
  group: string;
  model: string;
  version: string;
  aliases: string[];
}

/**
 * PrimeHub Models for other extensions: the REST client of the server extension and the
 * state of the Models page (group, MLflow status), with a signal when it changes.
 */
export interface IPrimeHubModels extends IDisposable {
  /** The REST client: every call of /primehub-models/api. */
  readonly api: typeof api;
  readonly groups: readonly IGroup[] | null;
  readonly group: string | null;
  readonly status: IStatus | null;
  readonly currentVersion: ICurrentVersion | null;
  readonly stateChanged: ISignal<IPrimeHubModels, void>;
  selectGroup(name: string): void;
  refresh(): void;
}

export const IPrimeHubModels = new Token<IPrimeHubModels>(
  'jupyter-primehub-models:IPrimeHubModels',
  "The REST client of PrimeHub Models and the Models page's state (group, MLflow status)."
);
