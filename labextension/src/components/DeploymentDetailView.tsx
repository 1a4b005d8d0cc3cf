import { showDialog, Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  deploymentAction,
  getDeployment,
  getLogs,
  IDeployment,
  stableEndpoint,
  messageOf,
  MOVING_PHASES,
  rollbackDeployment
} from '../api';
import { HistoryList } from './HistoryList';
import { TrafficSplit } from './TrafficSplit';
import { FAST_POLL_MS, uriTarget } from './DeploymentsView';
import { exactTime, formatTime, relativeTime } from './time';
import { TryIt } from './TryIt';
import { usePolling } from './usePolling';
import {
  CopyButton,
  ErrorLine,
  PhaseChip,
  ViewHeader,
  OpenTabButton
} from './ViewParts';

const DETAIL_POLL_MS = 5000;
const LOG_POLL_MS = 2000;
const LOG_TAIL = 200;

export interface IDeploymentDetailViewProps {
  group: string;
  id: string;
  /** In the sidebar: back to where it came from (a main-area tab has none). */
  onBack?: () => void;
  /** In the sidebar: the same view as a main-area tab. */
  onOpenTab?: () => void;
  onOpenVersion: (model: string, version: string) => void;
  onUpdate: (deployment: IDeployment) => void;
  onDeleted: () => void;
  /** Told the deployment each time it is read (a tab takes its name). */
  onLoaded?: (deployment: IDeployment) => void;
  trans: TranslationBundle;
}

/** Deploying → Deployed as steps, with an indeterminate bar while it is on its way. */
function PhaseProgress(props: {
  deployment: IDeployment;
  trans: TranslationBundle;
}): JSX.Element {
  const { deployment: d, trans } = props;
  const steps = [trans.__('Deploying'), trans.__('Deployed')];
  const reached = d.phase === 'Deployed' ? 2 : d.phase === 'Deploying' ? 1 : 0;
  return (
    <div className="jp-PrimeHubModels-progress">
      <ol className="jp-PrimeHubModels-steps">
        {steps.map((step, i) => (
          <li
            key={step}
            className={
              i < reached
                ? 'jp-mod-done'
                : i === reached
                  ? 'jp-mod-next'
                  : undefined
            }
          >
            {step}
          </li>
        ))}
      </ol>
      {MOVING_PHASES.has(d.phase) && (
        <progress aria-label={trans.__('%1…', d.phase)} />
      )}
      {d.message && (
        <div
          className={`jp-PrimeHubModels-note${d.phase === 'Failed' ? ' jp-mod-error' : ''}`}
        >
          {d.message}
        </div>
      )}
    </div>
  );
}

function Logs(props: {
  group: string;
  id: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { group, id, trans } = props;
  const [open, setOpen] = React.useState(false);
  const pre = React.useRef<HTMLPreElement>(null);
  const logs = usePolling(
    signal =>
      open ? getLogs(group, id, LOG_TAIL, signal) : Promise.resolve([]),
    () => (open ? LOG_POLL_MS : null),
    [group, id, open]
  );
  React.useEffect(() => {
    const node = pre.current;
    if (node) {
      node.scrollTop = node.scrollHeight;
    }
  }, [logs.data]);
  return (
    <details
      className="jp-PrimeHubModels-section jp-PrimeHubModels-logs"
      onToggle={event =>
        setOpen((event.currentTarget as HTMLDetailsElement).open)
      }
    >
      <summary>{trans.__('Logs')}</summary>
      <ErrorLine error={logs.error} />
      {open && (
        <pre ref={pre} aria-label={trans.__('Logs')} tabIndex={0}>
          {logs.data === null
            ? trans.__('Loading…')
            : logs.data.length
              ? logs.data.join('\n')
              : trans.__('No output yet.')}
        </pre>
      )}
    </details>
  );
}

/** One deployment: phase, endpoint, model URI, history, logs, actions and Try it. */
export function DeploymentDetailView(
  props: IDeploymentDetailViewProps
): JSX.Element {
  const { group, id, trans } = props;
  const [busy, setBusy] = React.useState(false);
  const [actionError, setActionError] = React.useState<string | null>(null);
  const {
    data: d,
    error,
    refresh
  } = usePolling(
    signal => getDeployment(group, id, signal),
    value =>
      value && MOVING_PHASES.has(value.phase) ? FAST_POLL_MS : DETAIL_POLL_MS,
    [group, id]
  );

  const onLoaded = props.onLoaded;
  React.useEffect(() => {
    if (d && onLoaded) {
      onLoaded(d);
    }
  }, [d, onLoaded]);

  const act = async (action: 'stop' | 'start' | 'delete') => {
    if (!d) {
      return;
    }
    if (action !== 'start') {
      const result = await showDialog({
        title:
          action === 'delete'
            ? trans.__('Delete deployment %1?', d.name)
            : trans.__('Stop deployment %1?', d.name),
        body:
          action === 'delete'
            ? trans.__(
                'Its serving processes stop and the deployment is removed. The model version stays in MLflow.'
              )
            : trans.__(
                'Its endpoint stops answering until you start it again.'
              ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({
            label: action === 'delete' ? trans.__('Delete') : trans.__('Stop')
          })
        ]
      });
      if (!result.button.accept) {
        return;
      }
    }
    setBusy(true);
    setActionError(null);
    try {
      await deploymentAction(group, id, action);
      if (action === 'delete') {
        props.onDeleted();
        return;
      }
      refresh();
    } catch (reason) {
      setActionError(messageOf(reason));
    } finally {
      setBusy(false);
    }
  };

  /** Serve an earlier history entry again (none named: what served before). */
  const rollback = async (to?: number) => {
    setBusy(true);
    setActionError(null);
    try {
      await rollbackDeployment(group, id, to);
      refresh();
    } catch (reason) {
      setActionError(messageOf(reason));
    } finally {
      setBusy(false);
    }
  };

  const target = d ? uriTarget(d) : null;
  const running = d ? d.phase !== 'Stopped' && d.phase !== 'Stopping' : false;
  return (
    <div className="jp-PrimeHubModels-view">
      <ViewHeader
        back={trans.__('← Deployments')}
        backTitle={trans.__('Back to deployments')}
        onBack={props.onBack}
        title={d?.name ?? id}
      >
        {d && <PhaseChip phase={d.phase} trans={trans} />}
        <OpenTabButton onOpen={props.onOpenTab} trans={trans} />
      </ViewHeader>
      <ErrorLine error={error} />
      <ErrorLine error={actionError} />
      {!d && !error && (
        <div className="jp-PrimeHubModels-empty">{trans.__('Loading…')}</div>
      )}
      {d && (
        <>
          <PhaseProgress deployment={d} trans={trans} />
          <div className="jp-PrimeHubModels-toolbar">
            <Button small disabled={busy} onClick={() => props.onUpdate(d)}>
              {trans.__('Update…')}
            </Button>
            {running ? (
              <Button small disabled={busy} onClick={() => void act('stop')}>
                {trans.__('Stop')}
              </Button>
            ) : (
              <Button small disabled={busy} onClick={() => void act('start')}>
                {trans.__('Start')}
              </Button>
            )}
            {d.history.filter(h => h.status !== 'failed').length > 1 && (
              <Button
                small
                disabled={busy}
                title={trans.__(
                  'Serve again what served before the last change'
                )}
                onClick={() => void rollback()}
              >
                {trans.__('Roll back')}
              </Button>
            )}
            <Button
              small
              disabled={busy}
              className="jp-mod-warn"
              onClick={() => void act('delete')}
            >
              {trans.__('Delete')}
            </Button>
          </div>
          <dl className="jp-PrimeHubModels-fields">
            <dt>{trans.__('Endpoint')}</dt>
            <dd>
              <code className="jp-PrimeHubModels-endpoint">
                {stableEndpoint(d)}
              </code>{' '}
              <CopyButton
                text={new URL(stableEndpoint(d), window.location.href).href}
                title={trans.__('Copy the endpoint URL')}
                trans={trans}
              />
              <div className="jp-PrimeHubModels-note">
                {d.access === 'public'
                  ? trans.__('Public: answers without a Jupyter token.')
                  : trans.__('Private: needs the Jupyter token.')}
              </div>
            </dd>
            <dt>{trans.__('Model URI')}</dt>
            <dd>
              {target ? (
                <button
                  className="jp-PrimeHubModels-link"
                  onClick={() => props.onOpenVersion(target[0], target[1])}
                >
                  {d.model_uri}
                </button>
              ) : (
                <code>{d.model_uri}</code>
              )}
              {d.served_version && d.alias !== null && (
                <span className="jp-PrimeHubModels-note">
                  {' '}
                  {trans.__('(version %1)', d.served_version)}
                </span>
              )}
            </dd>
            <dt>{trans.__('Replicas')}</dt>
            <dd>{d.replicas}</dd>
            <dt>{trans.__('Backend')}</dt>
            <dd>{d.backend}</dd>
            {d.description && (
              <>
                <dt>{trans.__('Description')}</dt>
                <dd>{d.description}</dd>
              </>
            )}
            <dt>{trans.__('Created')}</dt>
            <dd title={exactTime(d.created_at)}>{formatTime(d.created_at)}</dd>
            <dt>{trans.__('Updated')}</dt>
            <dd title={exactTime(d.updated_at)}>
              {relativeTime(d.updated_at)}
            </dd>
            {d.env.length > 0 && (
              <>
                <dt>{trans.__('Environment')}</dt>
                <dd>
                  {d.env.map(e => (
                    <div key={e.name}>
                      <code>
                        {e.name}={e.value}
                      </code>
                    </div>
                  ))}
                </dd>
              </>
            )}
          </dl>
          <TrafficSplit
            group={group}
            deployment={d}
            onChanged={() => refresh()}
            onOpenVersion={props.onOpenVersion}
            trans={trans}
          />
          <TryIt
            group={group}
            deploymentId={d.id}
            model={target?.[0] ?? null}
            version={d.served_version}
            serving={d.phase === 'Deployed'}
            trans={trans}
          />
          <HistoryList
            history={d.history}
            busy={busy}
            onRollback={n => void rollback(n)}
            trans={trans}
          />
          <Logs group={group} id={d.id} trans={trans} />
        </>
      )}
    </div>
  );
}
