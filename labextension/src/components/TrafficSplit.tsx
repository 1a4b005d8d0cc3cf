import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  IDeployment,
  messageOf,
  promoteDeployment,
  updateDeployment
} from '../api';
import { parseModelUri } from '../modelUri';
import { checkDrafts, IShareDraft, MAX_SHARES } from '../traffic';

/** What a deployment serves, each entry with its weight: promote one, or edit the split
 * (weights alone restart nothing). */
export function TrafficSplit(props: {
  group: string;
  deployment: IDeployment;
  onChanged: (deployment: IDeployment) => void;
  onOpenVersion: (model: string, version: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { group, deployment: d, trans } = props;
  const [drafts, setDrafts] = React.useState<IShareDraft[] | null>(null);
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const problem = drafts ? checkDrafts(drafts, trans) : null;

  const run = async (work: () => Promise<IDeployment>) => {
    setBusy(true);
    setError(null);
    try {
      props.onChanged(await work());
      setDrafts(null);
    } catch (reason) {
      setError(messageOf(reason));
    } finally {
      setBusy(false);
    }
  };
  const edit = (i: number, change: Partial<IShareDraft>) =>
    setDrafts(rows =>
      rows ? rows.map((r, j) => (j === i ? { ...r, ...change } : r)) : rows
    );

  return (
    <section
      className="jp-PrimeHubModels-section jp-PrimeHubModels-traffic"
      aria-label={trans.__('Traffic')}
    >
      <h4>{trans.__('Traffic')}</h4>
      {drafts === null ? (
        <table className="jp-PrimeHubModels-table">
          <thead>
            <tr>
              <th>{trans.__('Version')}</th>
              <th>{trans.__('Weight')}</th>
              <th>
                <span className="jp-PrimeHubModels-visuallyHidden">
                  {trans.__('Actions')}
                </span>
              </th>
            </tr>
          </thead>
          <tbody>
            {d.traffic.map(share => (
              <tr key={share.model_uri} data-version={share.version ?? ''}>
                <td>
                  {share.version ? (
                    <button
                      className="jp-PrimeHubModels-link"
                      title={share.model_uri}
                      onClick={() =>
                        props.onOpenVersion(d.model_name, share.version ?? '')
                      }
                    >
                      {trans.__('Version %1', share.version)}
                    </button>
                  ) : (
                    <code>{share.model_uri}</code>
                  )}
                  {parseModelUri(share.model_uri)?.alias && (
                    <span className="jp-PrimeHubModels-chip">
                      @{parseModelUri(share.model_uri)?.alias}
                    </span>
                  )}
                </td>
                <td>
                  <span
                    className="jp-PrimeHubModels-weight"
                    style={
                      { '--weight': `${share.weight}%` } as React.CSSProperties
                    }
                  >
                    {trans.__('%1 %', share.weight)}
                  </span>
                </td>
                <td>
                  {d.traffic.length > 1 && (
                    <Button
                      small
                      disabled={busy}
                      title={trans.__(
                        'Send all traffic to %1',
                        share.model_uri
                      )}
                      onClick={() =>
                        run(() =>
                          promoteDeployment(group, d.id, share.model_uri)
                        )
                      }
                    >
                      {trans.__('Promote')}
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div className="jp-PrimeHubModels-splitEditor">
          {drafts.map((row, i) => (
            <div className="jp-PrimeHubModels-splitRow" key={i}>
              <input
                className="jp-mod-styled"
                aria-label={trans.__('Model URI %1', i + 1)}
                value={row.model_uri}
                onChange={e => edit(i, { model_uri: e.target.value })}
              />
              <input
                type="range"
                min={0}
                max={100}
                aria-label={trans.__('Weight of %1', row.model_uri)}
                value={row.weight}
                onChange={e => edit(i, { weight: Number(e.target.value) })}
              />
              <input
                className="jp-mod-styled jp-PrimeHubModels-weightInput"
                type="number"
                min={0}
                max={100}
                aria-label={trans.__('Weight (%) of %1', row.model_uri)}
                value={row.weight}
                onChange={e =>
                  edit(i, { weight: Math.round(Number(e.target.value)) })
                }
              />
              <Button
                small
                minimal
                disabled={drafts.length < 2}
                title={trans.__('Remove this row')}
                onClick={() => setDrafts(drafts.filter((_, j) => j !== i))}
              >
                ✕
              </Button>
            </div>
          ))}
          <div className="jp-PrimeHubModels-note" role="status">
            {problem ?? trans.__('The weights sum to 100 %.')}
          </div>
          <div className="jp-PrimeHubModels-toolbar">
            <Button
              small
              minimal
              disabled={drafts.length >= MAX_SHARES}
              onClick={() =>
                setDrafts([
                  ...drafts,
                  { model_uri: `models:/${d.model_name}/`, weight: 0 }
                ])
              }
            >
              {trans.__('+ Add a version')}
            </Button>
            <Button
              small
              disabled={busy || problem !== null}
              onClick={() =>
                run(() =>
                  updateDeployment(group, d.id, {
                    traffic: drafts.map(r => ({
                      model_uri: r.model_uri.trim(),
                      weight: r.weight
                    })),
                    revision: d.revision
                  })
                )
              }
            >
              {trans.__('Save split')}
            </Button>
            <Button small minimal onClick={() => setDrafts(null)}>
              {trans.__('Cancel')}
            </Button>
          </div>
        </div>
      )}
      {drafts === null && (
        <div className="jp-PrimeHubModels-toolbar">
          <Button
            small
            minimal
            disabled={busy}
            onClick={() =>
              setDrafts(
                d.traffic.length > 1
                  ? d.traffic.map(s => ({
                      model_uri: s.model_uri,
                      weight: s.weight
                    }))
                  : [
                      { model_uri: d.traffic[0].model_uri, weight: 90 },
                      { model_uri: `models:/${d.model_name}/`, weight: 10 }
                    ]
              )
            }
          >
            {d.traffic.length > 1
              ? trans.__('Edit split')
              : trans.__('Add a canary')}
          </Button>
        </div>
      )}
      {error && (
        <div className="jp-PrimeHubModels-banner jp-mod-error" role="alert">
          {error}
        </div>
      )}
    </section>
  );
}
