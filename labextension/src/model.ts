import { IStateDB } from '@jupyterlab/statedb';
import { ISignal, Signal } from '@lumino/signaling';
import { ReadonlyJSONObject } from '@lumino/coreutils';

import { IStatus } from './api';
import { DEFAULT_SETTINGS, ISidebarSettings, PLUGIN_ID } from './tokens';

/** What the sidebar is looking at, for commands that act on "the current version". */
export interface ICurrentVersion {
  group: string;
  model: string;
  version: string;
  aliases: string[];
}

const COLUMNS_KEY = `${PLUGIN_ID}:columns`;

/** What the sidebar shows and what commands can ask of it. */
export class ModelsSidebarModel {
  constructor(
    private readonly _state: IStateDB | null = null,
    /** Opens a notebook of the Jupyter root (docmanager:open). */
    readonly openPath: (path: string) => void = () => undefined
  ) {}

  private _settings: ISidebarSettings = DEFAULT_SETTINGS;
  private _refreshRequested = new Signal<this, void>(this);
  private _settingsChanged = new Signal<this, void>(this);
  private _deployRequested = new Signal<this, void>(this);
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

  /** The palette's "Deploy Version": the panel opens its dialog. */
  get deployRequested(): ISignal<this, void> {
    return this._deployRequested;
  }

  /** The current group's last known status (for "Open MLflow UI"). */
  get status(): IStatus | null {
    return this._status;
  }

  set status(value: IStatus | null) {
    this._status = value;
  }

  /** The version the panel shows or last showed, if any. */
  currentVersion: ICurrentVersion | null = null;

  /** The group the panel shows. */
  group: string | null = null;

  refresh(): void {
    this._refreshRequested.emit();
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
}
