import { IStateDB } from '@jupyterlab/statedb';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import * as api from './api';
import { IGroup, IStatus, messageOf } from './api';
import type { IPageArgs } from './pages';
import {
  DEFAULT_SETTINGS,
  ICurrentVersion,
  IPrimeHubModels,
  ISidebarSettings,
  PLUGIN_ID
} from './tokens';

const COLUMNS_KEY = `${PLUGIN_ID}:columns`;
const CHART_KEY = `${PLUGIN_ID}:chart`;

/**
 * The Models page's state: the groups, the one picked, its MLflow status, what the panel
 * shows. It loads all of it itself and emits `stateChanged`; views read it and call its
 * methods, never assign its fields (as jupyterlab-git's model does).
 */
export class PrimeHubModelsModel implements IPrimeHubModels {
  constructor(
    private readonly _state: IStateDB | null = null,
    /** Opens a notebook of the Jupyter root (docmanager:open). */
    readonly openPath: (path: string) => void = () => undefined,
    /** Opens (or activates) a view of the Models page in the main area. */
    readonly openPage: (args: IPageArgs) => void = () => undefined
  ) {}

  readonly api = api;

  private _settings: ISidebarSettings = DEFAULT_SETTINGS;
  private _groups: IGroup[] | null = null;
  private _configError: string | null = null;
  private _loadError: string | null = null;
  private _group: string | null = null;
  private _status: IStatus | null = null;
  private _statusError: string | null = null;
  private _checking = false;
  private _revision = 0;
  private _currentVersion: ICurrentVersion | null = null;
  private _loading: AbortController | null = null;
  private _checkingAbort: AbortController | null = null;
  private _timer: number | undefined = undefined;
  private _disposed = false;
  private _stateChanged = new Signal<this, void>(this);
  private _deployRequested = new Signal<this, void>(this);

  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /** The palette's "Deploy Version": the panel opens its dialog. */
  get deployRequested(): ISignal<this, void> {
    return this._deployRequested;
  }

  get settings(): ISidebarSettings {
    return this._settings;
  }

  /** The groups the user can pick (null: not loaded yet). */
  get groups(): readonly IGroup[] | null {
    return this._groups;
  }

  /** Why the server's last configuration load failed (the previous one is in force). */
  get configError(): string | null {
    return this._configError;
  }

  /** Why the groups could not be loaded at all. */
  get loadError(): string | null {
    return this._loadError;
  }

  get group(): string | null {
    return this._group;
  }

  /** The current group's last known MLflow status. */
  get status(): IStatus | null {
    return this._status;
  }

  get statusError(): string | null {
    return this._statusError;
  }

  get checking(): boolean {
    return this._checking;
  }

  /** Grows on every refresh: views key on it to load again. */
  get revision(): number {
    return this._revision;
  }

  /** The version the panel shows or last showed, if any (for "Deploy Version"). */
  get currentVersion(): ICurrentVersion | null {
    return this._currentVersion?.group === this._group
      ? this._currentVersion
      : null;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Apply the user's settings (the plugin calls it on load and on every change). */
  setSettings(value: ISidebarSettings): void {
    const interval = this._settings.refreshInterval;
    this._settings = value;
    if (value.refreshInterval !== interval) {
      this._schedule();
    }
    this._emit();
  }

  /** Load the groups and the picked group's status (again). */
  load(): void {
    this._loading?.abort();
    const abort = new AbortController();
    this._loading = abort;
    this._loadError = null;
    this._emit();
    api
      .listGroups(abort.signal)
      .then(list => {
        this._groups = list.groups;
        this._configError = list.config_error ?? null;
        const names = list.groups.map(g => g.name);
        const preferred = this._settings.defaultGroup;
        let group = this._group;
        if (!group || !names.includes(group)) {
          group =
            preferred && names.includes(preferred)
              ? preferred
              : (list.default ?? names[0] ?? null);
        }
        this._group = group;
        this._emit();
        this.checkStatus();
      })
      .catch(reason => {
        if (!abort.signal.aborted) {
          this._loadError = messageOf(reason);
          this._emit();
        }
      });
  }

  selectGroup(name: string): void {
    if (name === this._group) {
      return;
    }
    this._group = name;
    this._status = null;
    this._emit();
    this.checkStatus();
  }

  /** Ask the server whether the group's MLflow answers (Retry). */
  checkStatus(): void {
    const group = this._group;
    if (!group) {
      return;
    }
    this._checkingAbort?.abort();
    const abort = new AbortController();
    this._checkingAbort = abort;
    this._checking = true;
    this._statusError = null;
    this._emit();
    api
      .getStatus(group, abort.signal)
      .then(value => {
        this._status = value;
      })
      .catch(reason => {
        if (!abort.signal.aborted) {
          this._status = null;
          this._statusError = messageOf(reason);
        }
      })
      .finally(() => {
        if (!abort.signal.aborted) {
          this._checking = false;
          this._emit();
        }
      });
  }

  /** Reload everything: groups, status, and every open view. */
  refresh(): void {
    this._revision += 1;
    this.load();
  }

  setCurrentVersion(version: ICurrentVersion | null): void {
    this._currentVersion = version;
  }

  requestDeploy(): void {
    this._deployRequested.emit();
  }

  /** The run columns chosen for a model's versions table (remembered in the state DB). */
  async columns(group: string, model: string): Promise<string[]> {
    const all = (await this._state?.fetch(COLUMNS_KEY)) as
      ReadonlyJSONObject | undefined;
    const chosen = all?.[`${group}/${model}`];
    return Array.isArray(chosen) ? (chosen as string[]) : [];
  }

  async setColumns(
    group: string,
    model: string,
    columns: string[]
  ): Promise<void> {
    if (!this._state) {
      return;
    }
    const all = ((await this._state.fetch(COLUMNS_KEY)) ??
      {}) as ReadonlyJSONObject;
    const next: Record<string, unknown> = { ...all };
    if (columns.length) {
      next[`${group}/${model}`] = columns;
    } else {
      delete next[`${group}/${model}`];
    }
    await this._state.save(COLUMNS_KEY, next as ReadonlyJSONObject);
  }

  /** The run metric (or parameter) plotted across a model's versions, if one was picked. */
  async chart(group: string, model: string): Promise<string | null> {
    const all = (await this._state?.fetch(CHART_KEY)) as
      ReadonlyJSONObject | undefined;
    const chosen = all?.[`${group}/${model}`];
    return typeof chosen === 'string' ? chosen : null;
  }

  async setChart(group: string, model: string, column: string): Promise<void> {
    if (!this._state) {
      return;
    }
    const all = ((await this._state.fetch(CHART_KEY)) ??
      {}) as ReadonlyJSONObject;
    await this._state.save(CHART_KEY, {
      ...all,
      [`${group}/${model}`]: column
    } as ReadonlyJSONObject);
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._loading?.abort();
    this._checkingAbort?.abort();
    window.clearInterval(this._timer);
    Signal.clearData(this);
  }

  private _schedule(): void {
    window.clearInterval(this._timer);
    this._timer = undefined;
    const seconds = this._settings.refreshInterval;
    if (seconds > 0) {
      this._timer = window.setInterval(() => this.refresh(), seconds * 1000);
    }
  }

  private _emit(): void {
    if (!this._disposed) {
      this._stateChanged.emit();
    }
  }
}
