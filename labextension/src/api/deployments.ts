/** The deployments half of the API: CRUD, stop/start, logs, and scoring. */
import {
  apiPath,
  apiUrl,
  jsonInit,
  requestAPI,
  send,
  withQuery
} from './client';
import type {
  IDeployment,
  IDeploymentList,
  IDeploymentPatch,
  IDeploymentSpec,
  ILogLines,
  Phase
} from './types';

/** Scoring may take as long as the server's proxy waits for the model. */
const SCORING_TIMEOUT_MS = 300_000;

/** Phases that are on their way somewhere: views poll while a deployment is in one. */
export const MOVING_PHASES: ReadonlySet<Phase> = new Set([
  'Deploying',
  'Stopping'
]);

function deploymentPath(group: string, ...rest: string[]): string {
  return apiPath('groups', group, 'deployments', ...rest);
}

export async function listDeployments(
  group: string,
  signal?: AbortSignal
): Promise<IDeployment[]> {
  const list = await requestAPI<IDeploymentList>(
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
  patch: IDeploymentPatch
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
  const logs = await requestAPI<ILogLines>(
    withQuery(deploymentPath(group, id, 'logs'), { tail }),
    {},
    signal
  );
  return logs.lines;
}

/** The stable, authenticated scoring address of a deployment (SPEC §8). */
export function invocationsUrl(group: string, id: string): string {
  return apiUrl(deploymentPath(group, id, 'invocations'));
}

/** The address to give out: the hub service's in team mode, else this server's. */
export function stableEndpoint(d: IDeployment): string {
  return d.scoring_url ?? invocationsUrl(d.group, d.id);
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
  const response = await send(
    invocationsUrl(group, id),
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: payload
    },
    signal,
    SCORING_TIMEOUT_MS
  );
  return { status: response.status, body: await response.text() };
}

/** All traffic to one entry of the split (none named: the canary). */
export function promoteDeployment(
  group: string,
  id: string,
  modelUri?: string
): Promise<IDeployment> {
  return requestAPI<IDeployment>(
    deploymentPath(group, id, 'promote'),
    jsonInit('POST', modelUri ? { model_uri: modelUri } : {})
  );
}

/** Serve again what history entry ``to`` served (none named: what served before). */
export function rollbackDeployment(
  group: string,
  id: string,
  to?: number
): Promise<IDeployment> {
  return requestAPI<IDeployment>(
    deploymentPath(group, id, 'rollback'),
    jsonInit('POST', to === undefined ? {} : { to })
  );
}
