/** Command ids and the plugin id, shared by the plugin and the components. */
export const PLUGIN_ID = 'jupyter-primehub-models:plugin';

export const CommandIDs = {
  open: 'primehub-models:open',
  refresh: 'primehub-models:refresh',
  openMlflowUi: 'primehub-models:open-mlflow-ui',
  deployVersion: 'primehub-models:deploy-version'
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
