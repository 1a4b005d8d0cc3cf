import { Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button, HTMLSelect, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  Access,
  ApiError,
  createDeployment,
  IDeployment,
  IEnvVar,
  listDeployments,
  updateDeployment
} from '../api';

export interface IDeployDialogOptions {
  group: string;
  /** ``models:/name/3`` (empty: the user types one). */
  modelUri: string;
  /** The model's name and this version's aliases: "follow @alias" choices. */
  modelName?: string;
  aliases?: string[];
  /** Open on "update this deployment" rather than "create new". */
  deploymentId?: string | null;
  trans: TranslationBundle;
}

type Field =
  'name' | 'model_uri' | 'description' | 'replicas' | 'env' | 'access';
const FIELDS: ReadonlySet<string> = new Set([
  'name',
  'model_uri',
  'description',
  'replicas',
  'env',
  'access'
]);
const NEW = '';

function suggestedName(modelUri: string): string {
  const match = /^models:\/(.+?)(?:\/(\d+)|@([\w-]+))$/.exec(modelUri);
  if (!match) {
    return '';
  }
  return match[1].slice(0, 63);
}

/**
 * The Deploy form: "+ Create new deployment" or an existing one of the group, the model
 * URI, name, description, replicas, env rows and access. The server validates; its
 * messages appear beside the field they concern.
 */
class DeployForm extends ReactWidget {
  constructor(private readonly _options: IDeployDialogOptions) {
    super();
    this.addClass('jp-PrimeHubModels-deployForm');
    this.modelUri = _options.modelUri;
    this.name = suggestedName(_options.modelUri);
    this.target = _options.deploymentId ?? NEW;
    listDeployments(_options.group)
      .then(list => {
        this.deployments = list;
        if (this.target !== NEW) {
          this._prefill(this.target);
        }
        this.update();
      })
      .catch(reason => {
        this.general =
          reason instanceof ApiError ? reason.message : String(reason);
        this.update();
      });
  }

  deployments: IDeployment[] | null = null;
  target: string;
  modelUri: string;
  name: string;
  description = '';
  replicas = 1;
  env: IEnvVar[] = [];
  access: Access = 'private';
  errors: Partial<Record<Field, string>> = {};
  general: string | null = null;
  submitting = false;
  result: IDeployment | null = null;

  private _prefill(id: string): void {
    const d = this.deployments?.find(x => x.id === id);
    if (d) {
      this.name = d.name;
      this.description = d.description;
      this.replicas = d.replicas;
      this.env = d.env.map(e => ({ ...e }));
      this.access = d.access;
    }
  }

  private _set(change: () => void): void {
    change();
    this.update();
  }

  /** Create or update; true when the server accepted it (the dialog may close). */
  async submit(): Promise<boolean> {
    if (this.submitting) {
      return false; // a second Enter or click while the first is on its way
    }
    const { group } = this._options;
    this.submitting = true;
    this.errors = {};
    this.general = null;
    this.update();
    const spec = {
      name: this.name.trim(),
      model_uri: this.modelUri.trim(),
      description: this.description,
      replicas: this.replicas,
      env: this.env.filter(e => e.name.trim() !== '' || e.value !== ''),
      access: this.access
    };
    try {
      if (this.target === NEW) {
        this.result = await createDeployment(group, spec);
      } else {
        const current = this.deployments?.find(d => d.id === this.target);
        this.result = await updateDeployment(group, this.target, {
          ...spec,
          revision: current?.revision
        });
      }
      return true;
    } catch (reason) {
      if (
        reason instanceof ApiError &&
        reason.field &&
        FIELDS.has(reason.field)
      ) {
        this.errors = { [reason.field as Field]: reason.message };
      } else {
        this.general =
          reason instanceof ApiError ? reason.message : String(reason);
      }
      return false;
    } finally {
      this.submitting = false;
      this.update();
    }
  }

  render(): JSX.Element {
    const trans = this._options.trans;
    const errors = this.errors;
    const fieldError = (field: Field) =>
      errors[field] ? (
        <div
          className="jp-PrimeHubModels-fieldError"
          role="alert"
          id={`jp-PrimeHubModels-error-${field}`}
        >
          {errors[field]}
        </div>
      ) : null;
    const described = (field: Field) =>
      errors[field] ? `jp-PrimeHubModels-error-${field}` : undefined;
    const aliases = this._options.aliases ?? [];
    const modelName = this._options.modelName;
    return (
      <div className="jp-PrimeHubModels-form" aria-busy={this.submitting}>
        <label>
          <span>{trans.__('Deployment')}</span>
          <HTMLSelect
            aria-label={trans.__('Deployment')}
            value={this.target}
            onChange={event => {
              const value = event.currentTarget.value;
              this._set(() => {
                this.target = value;
                if (value === NEW) {
                  this.name = suggestedName(this.modelUri);
                  this.description = '';
                  this.replicas = 1;
                  this.env = [];
                  this.access = 'private';
                } else {
                  this._prefill(value);
                }
                this.errors = {};
              });
            }}
            options={[
              { value: NEW, label: trans.__('+ Create new deployment') },
              ...(this.deployments ?? []).map(d => ({
                value: d.id,
                label: trans.__('Update %1 (%2)', d.name, d.model_uri)
              }))
            ]}
          />
        </label>
        <label>
          <span>{trans.__('Model URI')}</span>
          <input
            className="jp-mod-styled"
            name="model_uri"
            value={this.modelUri}
            aria-invalid={Boolean(errors.model_uri)}
            aria-describedby={described('model_uri')}
            placeholder="models:/name/1"
            onChange={event => {
              const value = event.currentTarget.value;
              this._set(() => (this.modelUri = value));
            }}
          />
          {fieldError('model_uri')}
        </label>
        {modelName && aliases.length > 0 && (
          <div className="jp-PrimeHubModels-aliasChoices">
            {aliases.map(alias => (
              <Button
                key={alias}
                small
                minimal
                title={trans.__(
                  'Serve whatever version @%1 points to (re-resolved on start and update)',
                  alias
                )}
                onClick={() =>
                  this._set(
                    () => (this.modelUri = `models:/${modelName}@${alias}`)
                  )
                }
              >
                {trans.__('Follow @%1', alias)}
              </Button>
            ))}
          </div>
        )}
        <label>
          <span>{trans.__('Name')}</span>
          <input
            className="jp-mod-styled"
            name="name"
            maxLength={63}
            value={this.name}
            aria-invalid={Boolean(errors.name)}
            aria-describedby={described('name')}
            onChange={event => {
              const value = event.currentTarget.value;
              this._set(() => (this.name = value));
            }}
          />
          {fieldError('name')}
        </label>
        <label>
          <span>{trans.__('Description')}</span>
          <textarea
            className="jp-mod-styled"
            name="description"
            rows={2}
            value={this.description}
            aria-invalid={Boolean(errors.description)}
            onChange={event => {
              const value = event.currentTarget.value;
              this._set(() => (this.description = value));
            }}
          />
          {fieldError('description')}
        </label>
        <div className="jp-PrimeHubModels-formRow">
          <label>
            <span>{trans.__('Replicas')}</span>
            <input
              className="jp-mod-styled"
              name="replicas"
              type="number"
              min={1}
              max={16}
              value={this.replicas}
              aria-invalid={Boolean(errors.replicas)}
              aria-describedby={described('replicas')}
              onChange={event => {
                const value = Number(event.currentTarget.value);
                this._set(() => (this.replicas = value));
              }}
            />
            {fieldError('replicas')}
          </label>
          <label>
            <span>{trans.__('Access')}</span>
            <HTMLSelect
              aria-label={trans.__('Access')}
              value={this.access}
              onChange={event => {
                const value = event.currentTarget.value as Access;
                this._set(() => (this.access = value));
              }}
              options={[
                {
                  value: 'private',
                  label: trans.__('Private (Jupyter token)')
                },
                { value: 'public', label: trans.__('Public (no token)') }
              ]}
            />
            {fieldError('access')}
          </label>
        </div>
        <fieldset className="jp-PrimeHubModels-envRows">
          <legend>{trans.__('Environment variables')}</legend>
          {this.env.map((row, i) => (
            <div key={i} className="jp-PrimeHubModels-envRow">
              <input
                className="jp-mod-styled"
                aria-label={trans.__('Variable name')}
                placeholder={trans.__('NAME')}
                value={row.name}
                onChange={event => {
                  const value = event.currentTarget.value;
                  this._set(() => (this.env[i] = { ...row, name: value }));
                }}
              />
              <input
                className="jp-mod-styled"
                aria-label={trans.__('Value')}
                placeholder={trans.__('value')}
                value={row.value}
                onChange={event => {
                  const value = event.currentTarget.value;
                  this._set(() => (this.env[i] = { ...row, value }));
                }}
              />
              <Button
                small
                minimal
                title={trans.__('Remove this variable')}
                onClick={() => this._set(() => this.env.splice(i, 1))}
              >
                ×
              </Button>
            </div>
          ))}
          <Button
            small
            minimal
            onClick={() =>
              this._set(() => this.env.push({ name: '', value: '' }))
            }
          >
            {trans.__('+ Add variable')}
          </Button>
          {fieldError('env')}
        </fieldset>
        {this.general && (
          <div className="jp-PrimeHubModels-banner jp-mod-error" role="alert">
            {this.general}
          </div>
        )}
        {this.submitting && (
          <div className="jp-PrimeHubModels-note" role="status">
            {trans.__('Submitting…')}
          </div>
        )}
      </div>
    );
  }

  getValue(): IDeployment | null {
    return this.result;
  }
}

/** A dialog that stays open until the server accepts the form. */
class DeployDialog extends Dialog<IDeployment | null> {
  constructor(
    private readonly _form: DeployForm,
    private readonly _buttonList: readonly Dialog.IButton[],
    options: Partial<Dialog.IOptions<IDeployment | null>>
  ) {
    super({ ...options, body: _form, buttons: _buttonList });
  }

  resolve(index?: number): void {
    const button = this._buttonList[index ?? this._buttonList.length - 1];
    if (!button?.accept) {
      super.resolve(index);
      return;
    }
    void this._form.submit().then(accepted => {
      if (accepted) {
        super.resolve(index);
      }
    });
  }
}

/** Shows the Deploy dialog; the deployment created or updated, or null if cancelled. */
export async function showDeployDialog(
  options: IDeployDialogOptions
): Promise<IDeployment | null> {
  const trans = options.trans;
  const form = new DeployForm(options);
  const buttons = [
    Dialog.cancelButton({ label: trans.__('Cancel') }),
    Dialog.okButton({ label: trans.__('Deploy') })
  ];
  const dialog = new DeployDialog(form, buttons, {
    title: trans.__('Deploy a model version'),
    hasClose: true
  });
  dialog.addClass('jp-PrimeHubModels-deployDialog');
  const result = await dialog.launch();
  return result.button.accept ? result.value : null;
}
