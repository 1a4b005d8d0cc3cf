import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IDeployment, listDeployments, MOVING_PHASES } from '../api';
import { splitSummary } from '../traffic';
import { exactTime, relativeTime } from './time';
import { usePolling } from './usePolling';
import { ErrorLine, PhaseChip } from './ViewParts';

/** Poll this often while a deployment is on its way somewhere, else this often. */
export const FAST_POLL_MS = 1500;
export const SLOW_POLL_MS = 15000;

export interface IDeploymentsViewProps {
  group: string;
  reload: number;
  onOpenDeployment: (id: string) => void;
  onOpenVersion: (model: string, version: string) => void;
  trans: TranslationBundle;
}

/** The version a deployment serves: [model, version] (an alias: what it resolved to). */
export function uriTarget(d: IDeployment): [string, string] | null {
  const version = d.version ?? d.served_version;
  return version ? [d.model_name, version] : null;
}

/** The group's deployments: phase, model URI (to its version), last update. */
export function DeploymentsView(props: IDeploymentsViewProps): JSX.Element {
  const { group, reload, trans } = props;
  const { data, error } = usePolling(
    signal => listDeployments(group, signal),
    list =>
      list?.some(d => MOVING_PHASES.has(d.phase)) ? FAST_POLL_MS : SLOW_POLL_MS,
    [group, reload]
  );
  return (
    <div className="jp-PrimeHubModels-view">
      <ErrorLine error={error} />
      {!data && !error && (
        <div className="jp-PrimeHubModels-empty">
          {trans.__('Loading deployments…')}
        </div>
      )}
      {data && data.length === 0 && (
        <div className="jp-PrimeHubModels-empty">
          {trans.__(
            'No deployments in this group yet. Open a model version and press Deploy.'
          )}
        </div>
      )}
      {data && data.length > 0 && (
        <ul
          className="jp-PrimeHubModels-deploymentList"
          aria-label={trans.__('Deployments')}
        >
          {data.map(d => {
            const target = uriTarget(d);
            return (
              <li key={d.id} data-deployment={d.id}>
                <div className="jp-PrimeHubModels-deploymentLine">
                  <button
                    className="jp-PrimeHubModels-link jp-PrimeHubModels-deploymentName"
                    onClick={() => props.onOpenDeployment(d.id)}
                    title={trans.__('Open deployment %1', d.name)}
                  >
                    {d.name}
                  </button>
                  <PhaseChip phase={d.phase} trans={trans} />
                </div>
                <div className="jp-PrimeHubModels-deploymentLine jp-mod-meta">
                  {target ? (
                    <button
                      className="jp-PrimeHubModels-link"
                      onClick={() => props.onOpenVersion(target[0], target[1])}
                      title={trans.__(
                        'Open the version this deployment serves'
                      )}
                    >
                      {d.model_uri}
                    </button>
                  ) : (
                    <code>{d.model_uri}</code>
                  )}
                  {(d.traffic.length > 1 || d.alias !== null) && (
                    <span
                      className="jp-PrimeHubModels-serving"
                      data-serving={d.traffic.map(t => t.version).join(',')}
                      title={trans.__('What serves now')}
                    >
                      {splitSummary(d.traffic, trans)}
                    </span>
                  )}
                  <span title={exactTime(d.updated_at)}>
                    {relativeTime(d.updated_at)}
                  </span>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
