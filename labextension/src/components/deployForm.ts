/** The Deploy form's state and what submitting it does (no rendering here). */
import {
  Access,
  ApiError,
  createDeployment,
  IDeployment,
  IEnvVar,
  listDeployments,
  messageOf,
  updateDeployment
} from '../api';
import { parseModelUri } from '../modelUri';
import { withCanary } from '../traffic';

export type FormField =
  | 'name'
  | 'model_uri'
  | 'traffic'
  | 'description'
  | 'replicas'
  | 'env'
  | 'access';

const FIELDS: ReadonlySet<string> = new Set<FormField>([
  'name',
  'model_uri',
  'traffic',
  'description',
  'replicas',
  'env',
  'access'
]);

/** "+ Create new deployment" (rather than one of the group's deployments). */
export const NEW = '';

/** A new deployment's name: the model's (at most 63 characters). */
export function suggestedName(modelUri: string, modelName?: string): string {
  return (modelName ?? parseModelUri(modelUri)?.name ?? '').slice(0, 63);
}

export class DeployFormState {
  constructor(
    readonly group: string,
    modelUri: string,
    private readonly _modelName: string | undefined,
    target: string | null | undefined,
    /** Called after every change, to re-render. */
    private readonly _changed: () => void
  ) {
    this.modelUri = modelUri;
    this.name = suggestedName(modelUri, _modelName);
    this.target = target ?? NEW;
  }

  deployments: IDeployment[] | null = null;
  target: string;
  modelUri: string;
  name: string;
  description = '';
  replicas = 1;
  env: IEnvVar[] = [];
  access: Access = 'private';
  /** Updating: 0 replaces what serves; more adds the model URI as a canary at this %. */
  canary = 0;
  errors: Partial<Record<FormField, string>> = {};
  general: string | null = null;
  submitting = false;
  result: IDeployment | null = null;

  /** The group's deployments, for "update an existing one". */
  async loadDeployments(): Promise<void> {
    try {
      this.deployments = await listDeployments(this.group);
      if (this.target !== NEW) {
        this._prefill(this.target);
      }
    } catch (reason) {
      this.general = messageOf(reason);
    }
    this._changed();
  }

  set(change: () => void): void {
    change();
    this._changed();
  }

  /** Create new, or prefill from the deployment chosen to update. */
  chooseTarget(value: string): void {
    this.set(() => {
      this.target = value;
      if (value === NEW) {
        this.name = suggestedName(this.modelUri, this._modelName);
        this.description = '';
        this.replicas = 1;
        this.env = [];
        this.access = 'private';
        this.canary = 0;
      } else {
        this._prefill(value);
      }
      this.errors = {};
    });
  }

  /** Create or update; true when the server accepted it (the dialog may close). */
  async submit(): Promise<boolean> {
    if (this.submitting) {
      return false; // a second Enter or click while the first is on its way
    }
    this.submitting = true;
    this.errors = {};
    this.general = null;
    this._changed();
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
        this.result = await createDeployment(this.group, spec);
      } else {
        const current = this.deployments?.find(d => d.id === this.target);
        const { model_uri: modelUri, ...rest } = spec;
        this.result = await updateDeployment(this.group, this.target, {
          ...rest,
          ...(this.canary > 0 && current
            ? { traffic: withCanary(current.traffic, modelUri, this.canary) }
            : { model_uri: modelUri }),
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
        this.errors = { [reason.field as FormField]: reason.message };
      } else {
        this.general = messageOf(reason);
      }
      return false;
    } finally {
      this.submitting = false;
      this._changed();
    }
  }

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
}
