import { Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button, HTMLSelect, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { Access, IDeployment } from '../api';
import { aliasUri } from '../modelUri';
import { DeployFormState, NEW } from './deployForm';
import { Field } from './Field';

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

/**
 * The Deploy form: "+ Create new deployment" or an existing one of the group, the model
 * URI, name, description, replicas, env rows and access. The server validates; its
 * messages appear beside the field they concern.
 */
class DeployForm extends ReactWidget {
  constructor(private readonly _options: IDeployDialogOptions) {
    super();
    this.addClass('jp-PrimeHubModels-deployForm');
    this.state = new DeployFormState(
      _options.group,
      _options.modelUri,
      _options.modelName,
      _options.deploymentId,
      () => this.update()
    );
    void this.state.loadDeployments();
  }

  readonly state: DeployFormState;

  render(): JSX.Element {
    const trans = this._options.trans;
    const form = this.state;
    const errors = form.errors;
    const aliases = this._options.aliases ?? [];
    const modelName = this._options.modelName;
    return (
      <div className="jp-PrimeHubModels-form" aria-busy={form.submitting}>
        <label>
          <span>{trans.__('Deployment')}</span>
          <HTMLSelect
            aria-label={trans.__('Deployment')}
            value={form.target}
            onChange={event => form.chooseTarget(event.currentTarget.value)}
            options={[
              { value: NEW, label: trans.__('+ Create new deployment') },
              ...(form.deployments ?? []).map(d => ({
                value: d.id,
                label: trans.__('Update %1 (%2)', d.name, d.model_uri)
              }))
            ]}
          />
        </label>
        <Field
          name="model_uri"
          label={trans.__('Model URI')}
          error={errors.model_uri}
        >
          {control => (
            <input
              {...control}
              className="jp-mod-styled"
              name="model_uri"
              value={form.modelUri}
              placeholder="models:/name/1"
              onChange={event => {
                const value = event.currentTarget.value;
                form.set(() => (form.modelUri = value));
              }}
            />
          )}
        </Field>
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
                  form.set(() => (form.modelUri = aliasUri(modelName, alias)))
                }
              >
                {trans.__('Follow @%1', alias)}
              </Button>
            ))}
          </div>
        )}
        {form.target !== NEW && (
          <Field
            name="traffic"
            label={trans.__('Traffic')}
            error={errors.traffic}
          >
            {control => (
              <div className="jp-PrimeHubModels-canaryChoice">
                <select
                  {...control}
                  className="jp-mod-styled"
                  value={form.canary > 0 ? 'canary' : 'replace'}
                  onChange={event => {
                    const canary = event.currentTarget.value === 'canary';
                    form.set(() => (form.canary = canary ? 10 : 0));
                  }}
                >
                  <option value="replace">
                    {trans.__('Replace what it serves (all traffic)')}
                  </option>
                  <option value="canary">
                    {trans.__('Add as a canary (part of the traffic)')}
                  </option>
                </select>
                {form.canary > 0 && (
                  <>
                    <input
                      type="range"
                      min={1}
                      max={99}
                      aria-label={trans.__('Canary weight (%)')}
                      value={form.canary}
                      onChange={event => {
                        const value = Number(event.currentTarget.value);
                        form.set(() => (form.canary = value));
                      }}
                    />
                    <input
                      type="number"
                      min={1}
                      max={99}
                      className="jp-mod-styled jp-PrimeHubModels-weightInput"
                      aria-label={trans.__('Canary weight (%) as a number')}
                      value={form.canary}
                      onChange={event => {
                        const value = Math.round(
                          Number(event.currentTarget.value)
                        );
                        form.set(() => (form.canary = value));
                      }}
                    />
                    <span className="jp-PrimeHubModels-note">
                      {trans.__('%1 % to this version', form.canary)}
                    </span>
                  </>
                )}
              </div>
            )}
          </Field>
        )}
        <Field name="name" label={trans.__('Name')} error={errors.name}>
          {control => (
            <input
              {...control}
              className="jp-mod-styled"
              name="name"
              maxLength={63}
              value={form.name}
              onChange={event => {
                const value = event.currentTarget.value;
                form.set(() => (form.name = value));
              }}
            />
          )}
        </Field>
        <Field
          name="description"
          label={trans.__('Description')}
          error={errors.description}
        >
          {control => (
            <textarea
              {...control}
              className="jp-mod-styled"
              name="description"
              rows={2}
              value={form.description}
              onChange={event => {
                const value = event.currentTarget.value;
                form.set(() => (form.description = value));
              }}
            />
          )}
        </Field>
        <div className="jp-PrimeHubModels-formRow">
          <Field
            name="replicas"
            label={trans.__('Replicas')}
            error={errors.replicas}
          >
            {control => (
              <input
                {...control}
                className="jp-mod-styled"
                name="replicas"
                type="number"
                min={1}
                max={16}
                value={form.replicas}
                onChange={event => {
                  const value = Number(event.currentTarget.value);
                  form.set(() => (form.replicas = value));
                }}
              />
            )}
          </Field>
          <Field name="access" label={trans.__('Access')} error={errors.access}>
            {control => (
              <HTMLSelect
                id={control.id}
                aria-label={trans.__('Access')}
                aria-describedby={control['aria-describedby']}
                value={form.access}
                onChange={event => {
                  const value = event.currentTarget.value as Access;
                  form.set(() => (form.access = value));
                }}
                options={[
                  {
                    value: 'private',
                    label: trans.__('Private (Jupyter token)')
                  },
                  { value: 'public', label: trans.__('Public (no token)') }
                ]}
              />
            )}
          </Field>
        </div>
        <EnvRows form={form} trans={trans} />
        {form.general && (
          <div className="jp-PrimeHubModels-banner jp-mod-error" role="alert">
            {form.general}
          </div>
        )}
        {form.submitting && (
          <div className="jp-PrimeHubModels-note" role="status">
            {trans.__('Submitting…')}
          </div>
        )}
      </div>
    );
  }

  getValue(): IDeployment | null {
    return this.state.result;
  }
}

/** The deployment's own environment variables: name/value rows. */
function EnvRows(props: {
  form: DeployFormState;
  trans: TranslationBundle;
}): JSX.Element {
  const { form, trans } = props;
  return (
    <fieldset className="jp-PrimeHubModels-envRows">
      <legend>{trans.__('Environment variables')}</legend>
      {form.env.map((row, i) => (
        <div key={i} className="jp-PrimeHubModels-envRow">
          <input
            className="jp-mod-styled"
            aria-label={trans.__('Variable name')}
            placeholder={trans.__('NAME')}
            value={row.name}
            onChange={event => {
              const value = event.currentTarget.value;
              form.set(() => (form.env[i] = { ...row, name: value }));
            }}
          />
          <input
            className="jp-mod-styled"
            aria-label={trans.__('Value')}
            placeholder={trans.__('value')}
            value={row.value}
            onChange={event => {
              const value = event.currentTarget.value;
              form.set(() => (form.env[i] = { ...row, value }));
            }}
          />
          <Button
            small
            minimal
            title={trans.__('Remove this variable')}
            onClick={() => form.set(() => form.env.splice(i, 1))}
          >
            ×
          </Button>
        </div>
      ))}
      <Button
        small
        minimal
        onClick={() => form.set(() => form.env.push({ name: '', value: '' }))}
      >
        {trans.__('+ Add variable')}
      </Button>
      {form.errors.env && (
        <div
          className="jp-PrimeHubModels-fieldError"
          role="alert"
          id="jp-PrimeHubModels-error-env"
        >
          {form.errors.env}
        </div>
      )}
    </fieldset>
  );
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
    void this._form.state.submit().then(accepted => {
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
