import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IHistoryEntry } from '../api';
import { splitSummary } from '../traffic';
import { exactTime, relativeTime } from './time';

type Action = IHistoryEntry['action'];

function actionLabel(action: Action, trans: TranslationBundle): string {
  const labels: Record<Action, string> = {
    create: trans.__('Created'),
    update: trans.__('Updated'),
    alias_moved: trans.__('Alias moved'),
    weights: trans.__('Weights shifted'),
    promote: trans.__('Promoted'),
    rollback: trans.__('Rolled back'),
    stop: trans.__('Stopped'),
    start: trans.__('Started')
  };
  return labels[action] ?? action;
}

/** Every change of what serves, newest first: what, who, when, from → to; each earlier
 * entry that served can be served again ("Roll back to this"). */
export function HistoryList(props: {
  history: readonly IHistoryEntry[];
  busy: boolean;
  onRollback: (n: number) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { history, trans } = props;
  const served = history.filter(h => h.status !== 'failed');
  const current = served.length ? served[served.length - 1].n : null;
  return (
    <section
      className="jp-PrimeHubModels-section"
      aria-label={trans.__('History')}
    >
      <h4>{trans.__('History')}</h4>
      <ol className="jp-PrimeHubModels-history" reversed>
        {[...history].reverse().map(h => (
          <li key={h.n} data-status={h.status ?? 'ok'} data-action={h.action}>
            <strong>{actionLabel(h.action, trans)}</strong>{' '}
            {h.previous && h.action !== 'stop' && h.action !== 'start' ? (
              <span>
                {trans.__(
                  '%1 → %2',
                  splitSummary(h.previous, trans),
                  splitSummary(h.traffic, trans)
                )}
              </span>
            ) : (
              <span>{splitSummary(h.traffic, trans)}</span>
            )}{' '}
            <span className="jp-PrimeHubModels-note">
              {h.by
                ? trans.__('by %1', h.by)
                : h.action === 'alias_moved'
                  ? trans.__('in MLflow')
                  : ''}{' '}
              <span title={exactTime(h.at)}>{relativeTime(h.at)}</span>
            </span>
            {h.status === 'failed' && (
              <div className="jp-PrimeHubModels-note jp-mod-error">
                {trans.__('Failed: %1', h.message ?? '')}
              </div>
            )}
            {h.status !== 'failed' && h.n !== current && (
              <Button
                small
                minimal
                disabled={props.busy}
                title={trans.__(
                  'Serve %1 again',
                  splitSummary(h.traffic, trans)
                )}
                onClick={() => props.onRollback(h.n)}
              >
                {trans.__('Roll back to this')}
              </Button>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
