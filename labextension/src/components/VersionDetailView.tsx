import { Clipboard } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { getVersion } from '../api';
import { exactTime, formatTime } from './time';
import { ErrorLine, ViewHeader } from './ViewParts';
import { useRequest } from './useRequest';

export interface IVersionDetailViewProps {
  group: string;
  model: string;
  version: string;
  onBack: () => void;
  trans: TranslationBundle;
}

function KeyValues(props: {
  title: string;
  values: Record<string, string | number | null>;
  empty: string;
}): JSX.Element {
  const entries = Object.entries(props.values).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  return (
    <section className="jp-PrimeHubModels-section" aria-label={props.title}>
      <h4>{props.title}</h4>
      {entries.length === 0 ? (
        <div className="jp-PrimeHubModels-empty">{props.empty}</div>
      ) : (
        <table className="jp-PrimeHubModels-table">
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>{value === null ? '—' : String(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One version: Registered At, Last Modified, Source Run, Parameters, Metrics, Tags. */
export function VersionDetailView(props: IVersionDetailViewProps): JSX.Element {
  const { group, model, version, onBack, trans } = props;
  const { data, error } = useRequest(
    signal => getVersion(group, model, version, signal),
    [group, model, version]
  );
  return (
    <div className="jp-PrimeHubModels-view">
      <ViewHeader
        back={trans.__('← Versions')}
        backTitle={trans.__('Back to versions')}
        onBack={onBack}
        title={trans.__('%1, version %2', model, version)}
        hover={model}
      />
      <ErrorLine error={error} />
      {!data && !error && (
        <div className="jp-PrimeHubModels-empty">{trans.__('Loading…')}</div>
      )}
      {data && (
        <>
          <dl className="jp-PrimeHubModels-fields">
            <dt>{trans.__('Registered At')}</dt>
            <dd title={exactTime(data.creation_timestamp)}>
              {formatTime(data.creation_timestamp)}
            </dd>
            <dt>{trans.__('Last Modified')}</dt>
            <dd title={exactTime(data.last_updated_timestamp)}>
              {formatTime(data.last_updated_timestamp)}
            </dd>
            <dt>{trans.__('Source Run')}</dt>
            <dd>
              {data.source_run ? (
                data.source_run.ui_url ? (
                  <a
                    href={data.source_run.ui_url}
                    target="_blank"
                    rel="noopener noreferrer"
                    className="jp-PrimeHubModels-sourceRun"
                  >
                    {data.source_run.name ?? data.source_run.id}
                  </a>
                ) : (
                  (data.source_run.name ?? data.source_run.id)
                )
              ) : (
                '—'
              )}
            </dd>
            <dt>{trans.__('Model URI')}</dt>
            <dd>
              <code>{data.model_uri}</code>{' '}
              <Button
                small
                minimal
                title={trans.__('Copy the model URI')}
                onClick={() => Clipboard.copyToSystem(data.model_uri)}
              >
                {trans.__('Copy')}
              </Button>
            </dd>
            {data.description && (
              <>
                <dt>{trans.__('Description')}</dt>
                <dd>{data.description}</dd>
              </>
            )}
          </dl>
          <KeyValues
            title={trans.__('Parameters')}
            values={data.parameters}
            empty={trans.__('No parameters')}
          />
          <KeyValues
            title={trans.__('Metrics')}
            values={data.metrics}
            empty={trans.__('No metrics')}
          />
          <KeyValues
            title={trans.__('Tags')}
            values={data.tags}
            empty={trans.__('No tags')}
          />
        </>
      )}
    </div>
  );
}
