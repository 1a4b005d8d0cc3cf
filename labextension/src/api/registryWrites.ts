/** The registry writes: aliases, descriptions and tags, registering a run's logged model. */
import { apiPath, jsonInit, requestAPI } from './client';
import type {
  ILoggedModel,
  IModelVersion,
  IRegisteredModel,
  IVersionDetail
} from './types';

/** Tags to set; a null value deletes the tag. */
export type TagChanges = Record<string, string | null>;

export interface IRegistryEdit {
  description?: string;
  tags?: TagChanges;
}

/** Point ``alias`` at ``version`` (set, or moved from another version). */
export function setAlias(
  group: string,
  model: string,
  alias: string,
  version: string
): Promise<IRegisteredModel> {
  return requestAPI<IRegisteredModel>(
    apiPath('groups', group, 'models', model, 'aliases', alias),
    jsonInit('PUT', { version })
  );
}

export function deleteAlias(
  group: string,
  model: string,
  alias: string
): Promise<IRegisteredModel> {
  return requestAPI<IRegisteredModel>(
    apiPath('groups', group, 'models', model, 'aliases', alias),
    { method: 'DELETE' }
  );
}

export function editModel(
  group: string,
  model: string,
  edit: IRegistryEdit
): Promise<IRegisteredModel> {
  return requestAPI<IRegisteredModel>(
    apiPath('groups', group, 'models', model),
    jsonInit('PATCH', edit)
  );
}

export function editVersion(
  group: string,
  model: string,
  version: string,
  edit: IRegistryEdit
): Promise<IVersionDetail> {
  return requestAPI<IVersionDetail>(
    apiPath('groups', group, 'models', model, 'versions', version),
    jsonInit('PATCH', edit)
  );
}

/** A run's logged model as a new version of ``model`` (made if it is new). */
export function registerVersion(
  group: string,
  model: string,
  modelId: string,
  runId?: string
): Promise<IModelVersion> {
  return requestAPI<IModelVersion>(
    apiPath('groups', group, 'models', model, 'versions'),
    jsonInit('POST', { model_id: modelId, run_id: runId })
  );
}

/** The models a run logged. */
export async function runModels(
  group: string,
  runId: string,
  signal?: AbortSignal
): Promise<ILoggedModel[]> {
  const found = await requestAPI<{ models: ILoggedModel[] }>(
    apiPath('groups', group, 'runs', runId, 'logged-models'),
    {},
    signal
  );
  return found.models;
}
