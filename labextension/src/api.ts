/**
 * The one REST client of the extension: every call to /primehub-models/api goes here.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export const API_BASE = 'primehub-models/api';

/** How long the browser waits for any answer (the server's own MLflow timeout is shorter). */
const REQUEST_TIMEOUT_MS = 60_000;

export interface IMlflowBinding {
  configured: boolean;
  ui_url: string | null;
}

export interface IGroup {
  name: string;
  display_name: string;
  mlflow: IMlflowBinding;
}

export interface IGroupList {
  groups: IGroup[];
  default: string | null;
  config_error?: string | null;
}

export type MlflowState = 'ok' | 'not_configured' | 'unreachable';

export interface IStatus {
  mlflow: MlflowState;
  message: string;
  ui_url: string | null;
}

export interface IRegisteredModel {
  name: string;
  description: string;
  latest_version: string | null;
  creation_timestamp: number | null;
  last_updated_timestamp: number | null;
  tags: Record<string, string>;
  aliases: Record<string, string>;
  ui_url: string | null;
}

export interface IModelPage {
  models: IRegisteredModel[];
  next_page_token: string | null;
}

/** An error answered by the API (`{"error": {"code", "message"}}`) or met on the way. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Percent-encode each path segment: model names hold spaces, %, ?, #, + and unicode. */
export function apiPath(...segments: string[]): string {
  return segments.map(encodeURIComponent).join('/');
}

export async function requestAPI<T>(
  path: string,
  init: RequestInit = {},
  signal?: AbortSignal
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, API_BASE, path);
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      { ...init, signal: combined },
      settings
    );
  } catch (error) {
    if (signal?.aborted) {
      throw error;
    }
    if (timeout.aborted) {
      throw new ApiError(
        'TIMEOUT',
        'The Jupyter server did not answer in time.',
        0
      );
    }
    throw new ApiError(
      'NETWORK',
      `Cannot reach the Jupyter server: ${String(error)}`,
      0
    );
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (response.ok) {
    return body as T;
  }
  const error = (body as { error?: { code?: string; message?: string } } | null)
    ?.error;
  if (error?.code) {
    throw new ApiError(
      error.code,
      error.message ?? error.code,
      response.status
    );
  }
  if (response.status === 404) {
    throw new ApiError(
      'EXTENSION_MISSING',
      'The jupyter-primehub-models server extension is not installed or not enabled.',
      404
    );
  }
  throw new ApiError(
    'HTTP_' + response.status,
    `The Jupyter server answered HTTP ${response.status}.`,
    response.status
  );
}

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
  const params = new URLSearchParams();
  if (query.search) {
    params.set('search', query.search);
  }
  if (query.pageToken) {
    params.set('page_token', query.pageToken);
  }
  if (query.maxResults) {
    params.set('max_results', String(query.maxResults));
  }
  const qs = params.toString();
  return requestAPI<IModelPage>(
    apiPath('groups', group, 'models') + (qs ? `?${qs}` : ''),
    {},
    signal
  );
}

export interface IDeployedBy {
  id: string;
  name: string;
  phase: string;
}

export interface IModelVersion {
  name: string;
  version: string;
  status: string;
  creation_timestamp: number | null;
  last_updated_timestamp: number | null;
  run_id: string | null;
  source: string | null;
  model_id: string | null;
  aliases: string[];
  model_uri: string;
  deployed_by: IDeployedBy[];
}

export interface IVersionPage {
  versions: IModelVersion[];
  next_page_token: string | null;
}

export interface ISourceRun {
  id: string;
  name: string | null;
  experiment_id: string | null;
  ui_url: string | null;
  tags: Record<string, string>;
}

export interface IVersionDetail extends IModelVersion {
  description: string;
  source_run: ISourceRun | null;
  parameters: Record<string, string>;
  metrics: Record<string, number | null>;
  tags: Record<string, string>;
  ui_url: string | null;
}

export function listVersions(
  group: string,
  model: string,
  pageToken: string | null,
  signal?: AbortSignal
): Promise<IVersionPage> {
  const qs = pageToken ? `?page_token=${encodeURIComponent(pageToken)}` : '';
  return requestAPI<IVersionPage>(
    apiPath('groups', group, 'models', model, 'versions') + qs,
    {},
    signal
  );
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
