/** The registry half of the API: groups, status, models, versions, detail, signature. */
import { apiPath, requestAPI, withQuery } from './client';
import type {
  IGroupList,
  IModelPage,
  IRegisteredModel,
  IStatus,
  IVersionDetail,
  IVersionPage,
  IVersionSignature
} from './types';

export function listGroups(signal?: AbortSignal): Promise<IGroupList> {
  return requestAPI<IGroupList>('groups', {}, signal);
}

export function getStatus(
  group: string,
  signal?: AbortSignal
): Promise<IStatus> {
  return requestAPI<IStatus>(apiPath('groups', group, 'status'), {}, signal);
}

export function listModels(
  group: string,
  query: { search?: string; pageToken?: string | null; maxResults?: number },
  signal?: AbortSignal
): Promise<IModelPage> {
  const path = withQuery(apiPath('groups', group, 'models'), {
    search: query.search,
    page_token: query.pageToken,
    max_results: query.maxResults
  });
  return requestAPI<IModelPage>(path, {}, signal);
}

export function listVersions(
  group: string,
  model: string,
  query: { pageToken?: string | null; runData?: boolean },
  signal?: AbortSignal
): Promise<IVersionPage> {
  const path = withQuery(
    apiPath('groups', group, 'models', model, 'versions'),
    {
      page_token: query.pageToken,
      run_data: query.runData ? 'true' : undefined
    }
  );
  return requestAPI<IVersionPage>(path, {}, signal);
}

export function getVersion(
  group: string,
  model: string,
  version: string,
  signal?: AbortSignal
): Promise<IVersionDetail> {
  return requestAPI<IVersionDetail>(
    apiPath('groups', group, 'models', model, 'versions', version),
    {},
    signal
  );
}

export function getSignature(
  group: string,
  model: string,
  version: string,
  signal?: AbortSignal
): Promise<IVersionSignature> {
  return requestAPI<IVersionSignature>(
    apiPath('groups', group, 'models', model, 'versions', version, 'signature'),
    {},
    signal
  );
}

export function getModel(
  group: string,
  model: string,
  signal?: AbortSignal
): Promise<IRegisteredModel> {
  return requestAPI<IRegisteredModel>(
    apiPath('groups', group, 'models', model),
    {},
    signal
  );
}

/** The versions registered from runs of a notebook (``path``: as Lab names it). */
export function notebookVersions(
  group: string,
  path: string,
  signal?: AbortSignal
): Promise<IVersionPage> {
  return requestAPI<IVersionPage>(
    withQuery(apiPath('groups', group, 'notebook-versions'), { path }),
    {},
    signal
  );
}
