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
  /** The configured MLflow host (no credentials). */
  host?: string | null;
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
    readonly status: number,
    /** The request body's field at fault (a form shows the message beside it). */
    readonly field: string | null = null
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
  const error = (
    body as {
      error?: { code?: string; message?: string; field?: string };
    } | null
  )?.error;
  if (error?.code) {
    throw new ApiError(
      error.code,
      error.message ?? error.code,
      response.status,
      error.field ?? null
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
  /** Only with run_data: the version's run parameters and metrics. */
  parameters?: Record<string, string> | null;
  metrics?: Record<string, number | null> | null;
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

export interface ISourceNotebook {
  path: string;
  lab_path: string | null;
}

export interface ILoggedModel {
  id: string;
  name: string | null;
  experiment_id: string | null;
  artifact_uri: string | null;
  status: string | null;
  parameters: Record<string, string>;
  metrics: Record<string, number | null>;
  tags: Record<string, string>;
  ui_url: string | null;
}

export interface IVersionDetail extends IModelVersion {
  description: string;
  source_run: ISourceRun | null;
  source_notebook: ISourceNotebook | null;
  logged_model: ILoggedModel | null;
  parameters: Record<string, string>;
  metrics: Record<string, number | null>;
  tags: Record<string, string>;
  ui_url: string | null;
}

export function listVersions(
  group: string,
  model: string,
  query: { pageToken?: string | null; runData?: boolean },
  signal?: AbortSignal
): Promise<IVersionPage> {
  const params = new URLSearchParams();
  if (query.pageToken) {
    params.set('page_token', query.pageToken);
  }
  if (query.runData) {
    params.set('run_data', 'true');
  }
  const qs = params.toString();
  return requestAPI<IVersionPage>(
    apiPath('groups', group, 'models', model, 'versions') +
      (qs ? `?${qs}` : ''),
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

export interface ISchemaField {
  name: string | null;
  type: string;
  required: boolean;
  default?: string | null;
}

export interface IVersionSignature {
  inputs: ISchemaField[] | null;
  outputs: ISchemaField[] | null;
  params: ISchemaField[] | null;
  flavors: string[];
  input_example: unknown;
  input_example_source: 'saved' | 'signature' | null;
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

// -- deployments ------------------------------------------------------------------

export type Phase =
  'Deploying' | 'Deployed' | 'Failed' | 'Stopping' | 'Stopped';
export type Access = 'private' | 'public';

export interface IEnvVar {
  name: string;
  value: string;
}

export interface IHistoryEntry {
  model_uri: string;
  at: number;
  version?: string | null;
  status?: 'failed' | null;
  message?: string | null;
}

export interface IDeployment {
  id: string;
  name: string;
  description: string;
  group: string;
  model_uri: string;
  served_version: string | null;
  phase: Phase;
  message: string;
  endpoint: string | null;
  replicas: number;
  env: IEnvVar[];
  access: Access;
  created_at: number;
  updated_at: number;
  revision: number;
  history: IHistoryEntry[];
  backend: string;
}

export interface IDeploymentSpec {
  name: string;
  model_uri: string;
  description: string;
  replicas: number;
  env: IEnvVar[];
  access: Access;
}

/** Phases that are on their way somewhere: views poll while a deployment is in one. */
export const MOVING_PHASES: ReadonlySet<Phase> = new Set([
  'Deploying',
  'Stopping'
]);

function deploymentPath(group: string, ...rest: string[]): string {
  return apiPath('groups', group, 'deployments', ...rest);
}

function jsonInit(method: string, body?: unknown): RequestInit {
  return {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  };
}

export async function listDeployments(
  group: string,
  signal?: AbortSignal
): Promise<IDeployment[]> {
  const list = await requestAPI<{ deployments: IDeployment[] }>(
    deploymentPath(group),
    {},
    signal
  );
  return list.deployments;
}

export function getDeployment(
  group: string,
  id: string,
  signal?: AbortSignal
): Promise<IDeployment> {
  return requestAPI<IDeployment>(deploymentPath(group, id), {}, signal);
}

export function createDeployment(
  group: string,
  spec: IDeploymentSpec
): Promise<IDeployment> {
  return requestAPI<IDeployment>(deploymentPath(group), jsonInit('POST', spec));
}

export function updateDeployment(
  group: string,
  id: string,
  patch: Partial<IDeploymentSpec> & { revision?: number }
): Promise<IDeployment> {
  return requestAPI<IDeployment>(
    deploymentPath(group, id),
    jsonInit('PATCH', patch)
  );
}

export function deploymentAction(
  group: string,
  id: string,
  action: 'stop' | 'start' | 'delete'
): Promise<IDeployment> {
  return action === 'delete'
    ? requestAPI<IDeployment>(deploymentPath(group, id), { method: 'DELETE' })
    : requestAPI<IDeployment>(
        deploymentPath(group, id, action),
        jsonInit('POST')
      );
}

export async function getLogs(
  group: string,
  id: string,
  tail: number,
  signal?: AbortSignal
): Promise<string[]> {
  const logs = await requestAPI<{ lines: string[] }>(
    deploymentPath(group, id, 'logs') + `?tail=${tail}`,
    {},
    signal
  );
  return logs.lines;
}

/** The stable, authenticated scoring address of a deployment (SPEC §8). */
export function invocationsUrl(group: string, id: string): string {
  const settings = ServerConnection.makeSettings();
  return URLExt.join(
    settings.baseUrl,
    API_BASE,
    deploymentPath(group, id, 'invocations')
  );
}

export interface IScoringAnswer {
  status: number;
  body: string;
}

/** Score: the answer is the scoring server's own (its errors too), so it comes back raw. */
export async function invoke(
  group: string,
  id: string,
  payload: string,
  signal?: AbortSignal
): Promise<IScoringAnswer> {
  const settings = ServerConnection.makeSettings();
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      invocationsUrl(group, id),
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: payload,
        signal
      },
      settings
    );
  } catch (error) {
    throw new ApiError(
      'NETWORK',
      `Cannot reach the Jupyter server: ${String(error)}`,
      0
    );
  }
  return { status: response.status, body: await response.text() };
}
