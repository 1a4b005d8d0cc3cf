import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { getVersion, IVersionDetail } from '../api';
import { formatTime } from './time';
import { ErrorLine, ViewHeader, OpenTabButton } from './ViewParts';
import { useRequest } from './useRequest';

export interface ICompareViewProps {
  group: string;
  model: string;
  versions: string[];
  /** In the sidebar: back to where it came from (a main-area tab has none). */
  onBack?: () => void;
  /** In the sidebar: the same view as a main-area tab. */
  onOpenTab?: () => void;
  onOpenVersion: (version: string) => void;
  trans: TranslationBundle;
}

type Cell = string | number | null | undefined;

function Section(props: {
  title: string;
  rows: [string, Cell[]][];
  columns: number;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { title, rows, columns, trans } = props;
  if (rows.length === 0) {
    return null;
  }
  return (
    <>
      <tr className="jp-PrimeHubModels-compareSection">
        <th colSpan={columns + 1} scope="rowgroup">
          {title}
        </th>
      </tr>
      {rows.map(([key, cells]) => {
        const shown = cells.map(c =>
          c === undefined || c === null ? '—' : String(c)
        );
        const differs = new Set(shown).size > 1;
        return (
          <tr
            key={`${title}:${key}`}
            className={differs ? 'jp-mod-different' : undefined}
            data-key={key}
            title={differs ? trans.__('Values differ') : undefined}
          >
            <th scope="row">{key}</th>
            {shown.map((value, i) => (
              <td key={i}>{value}</td>
            ))}
          </tr>
        );
      })}
    </>
  );
}

function keyed(
  details: IVersionDetail[],
  pick: (d: IVersionDetail) => Record<string, Cell>
): [string, Cell[]][] {
  const keys = new Set<string>();
  details.forEach(d => Object.keys(pick(d)).forEach(k => keys.add(k)));
  return [...keys]
    .sort((a, b) => a.localeCompare(b))
    .map(k => [k, details.map(d => pick(d)[k])]);
}

/** Two or more versions side by side: parameters, metrics and tags; differences marked. */
export function CompareView(props: ICompareViewProps): JSX.Element {
  const { group, model, versions, trans } = props;
  const sorted = [...versions].sort((a, b) => Number(a) - Number(b));
  const { data, error } = useRequest(
    signal => Promise.all(sorted.map(v => getVersion(group, model, v, signal))),
    [group, model, sorted.join(',')]
  );
  return (
    <div className="jp-PrimeHubModels-view">
      <ViewHeader
        back={trans.__('← Versions')}
        backTitle={trans.__('Back to versions')}
        onBack={props.onBack}
        title={trans.__('Compare %1', model)}
      >
        <OpenTabButton onOpen={props.onOpenTab} trans={trans} />
      </ViewHeader>
      <ErrorLine error={error} />
      {!data && !error && (
        <div className="jp-PrimeHubModels-empty">{trans.__('Loading…')}</div>
      )}
      {data && (
        <div className="jp-PrimeHubModels-tableScroller">
          <table
            className="jp-PrimeHubModels-table jp-PrimeHubModels-compare"
            aria-label={trans.__('Compared versions')}
          >
            <thead>
              <tr>
                <th />
                {data.map(d => (
                  <th key={d.version} scope="col">
                    <button
                      className="jp-PrimeHubModels-link"
                      onClick={() => props.onOpenVersion(d.version)}
                    >
                      {trans.__('Version %1', d.version)}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <Section
                title={trans.__('Version')}
                columns={data.length}
                trans={trans}
                rows={[
                  [
                    trans.__('Registered At'),
                    data.map(d => formatTime(d.creation_timestamp))
                  ],
                  [
                    trans.__('Source Run'),
                    data.map(d => d.source_run?.name ?? d.source_run?.id)
                  ],
                  [trans.__('Aliases'), data.map(d => d.aliases.join(', '))]
                ]}
              />
              <Section
                title={trans.__('Parameters')}
                columns={data.length}
                trans={trans}
                rows={keyed(data, d => d.parameters)}
              />
              <Section
                title={trans.__('Metrics')}
                columns={data.length}
                trans={trans}
                rows={keyed(data, d => d.metrics)}
              />
              <Section
                title={trans.__('Tags')}
                columns={data.length}
                trans={trans}
                rows={keyed(data, d => d.tags)}
              />
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
