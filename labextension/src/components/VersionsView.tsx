import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IDeployedBy, IModelVersion, listVersions } from '../api';
import { PrimeHubModelsModel } from '../model';
import { columnLabel, ColumnsPicker, RunColumn } from './ColumnsPicker';
import { MetricChart } from './MetricChart';
import { ModelAbout } from './ModelAbout';
import { exactTime, relativeTime } from './time';
import { ErrorLine, ViewHeader, OpenTabButton } from './ViewParts';
import { useRequest } from './useRequest';

export interface IVersionsViewProps {
  group: string;
  model: string;
  sidebar: PrimeHubModelsModel;
  /** In the sidebar: back to where it came from (a main-area tab has none). */
  onBack?: () => void;
  /** In the sidebar: the same view as a main-area tab. */
  onOpenTab?: () => void;
  onOpenVersion: (version: string) => void;
  onOpenDeployment: (id: string) => void;
  onDeploy: (version: IModelVersion) => void;
  onCompare: (versions: string[]) => void;
  /** A main-area tab: every column, Compare and the metric chart; else the sidebar's
   * compact table (version, aliases, Deployed By, Deploy). */
  wide?: boolean;
  trans: TranslationBundle;
}

function runColumns(versions: IModelVersion[]): RunColumn[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const v of versions) {
    Object.keys(v.parameters ?? {}).forEach(k => params.add(k));
    Object.keys(v.metrics ?? {}).forEach(k => metrics.add(k));
  }
  return [
    ...[...params].sort().map(k => `param:${k}` as RunColumn),
    ...[...metrics].sort().map(k => `metric:${k}` as RunColumn)
  ];
}

function runValue(v: IModelVersion, column: RunColumn): string {
  const key = columnLabel(column);
  const value = column.startsWith('param:')
    ? v.parameters?.[key]
    : v.metrics?.[key];
  if (value === undefined || value === null) {
    return '—';
  }
  return typeof value === 'number'
    ? String(Number(value.toPrecision(6)))
    : value;
}

/** A version's aliases, as chips. */
export function AliasList(props: { aliases: readonly string[] }): JSX.Element {
  return (
    <>
      {props.aliases.map(alias => (
        <span key={alias} className="jp-PrimeHubModels-chip">
          @{alias}
        </span>
      ))}
    </>
  );
}

export function DeployedByLinks(props: {
  deployments: IDeployedBy[];
  onOpen: (id: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <>
      {props.deployments.map(d => (
        <button
          key={d.id}
          className="jp-PrimeHubModels-chip jp-PrimeHubModels-deployedBy"
          data-phase={d.phase}
          data-weight={d.weight}
          title={
            d.weight < 100
              ? props.trans.__(
                  'Deployment %1: %2, %3 % of its traffic',
                  d.name,
                  d.phase,
                  d.weight
                )
              : props.trans.__('Deployment %1: %2', d.name, d.phase)
          }
          onClick={() => props.onOpen(d.id)}
        >
          {d.name}
          {d.weight < 100 && (
            <span className="jp-PrimeHubModels-weightTag">
              {props.trans.__('%1 %', d.weight)}
            </span>
          )}
        </button>
      ))}
    </>
  );
}

/**
 * A model's versions, newest first: Version (and status unless READY), Registered At, Aliases, Deployed
 * By, Deploy; optional run columns; select two or more to compare.
 */
export function VersionsView(props: IVersionsViewProps): JSX.Element {
  const { group, model, sidebar, trans } = props;
  const [pages, setPages] = React.useState<IModelVersion[]>([]);
  const [token, setToken] = React.useState<string | null>(null);
  const [more, setMore] = React.useState<string | null>(null);
  const [columns, setColumns] = React.useState<RunColumn[]>([]);
  const [pickerOpen, setPickerOpen] = React.useState(false);
  const [selected, setSelected] = React.useState<string[]>([]);
  const wide = props.wide ?? false;
  const [chart, setChart] = React.useState<RunColumn | null>(null);
  const [chartOpen, setChartOpen] = React.useState(false);
  const runData =
    wide && (columns.length > 0 || pickerOpen || chart !== null || chartOpen);

  React.useEffect(() => {
    let live = true;
    sidebar
      .columns(group, model)
      .then(saved => live && setColumns(saved as RunColumn[]))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [sidebar, group, model]);

  // Turning run data on reloads from the first page, each page in one batch.
  React.useEffect(() => {
    setToken(null);
  }, [runData]);

  const { data, error } = useRequest(
    signal => listVersions(group, model, { pageToken: token, runData }, signal),
    [group, model, token, runData]
  );
  React.useEffect(() => {
    if (data) {
      setPages(previous =>
        token ? [...previous, ...data.versions] : data.versions
      );
      setMore(data.next_page_token);
    }
  }, [data, token]);

  const chooseChart = (chosen: RunColumn | null) => {
    setChart(chosen);
    if (chosen) {
      sidebar.setChart(group, model, chosen).catch(() => undefined);
    }
  };
  React.useEffect(() => {
    let live = true;
    if (wide) {
      sidebar
        .chart(group, model)
        .then(saved => live && saved && setChart(saved as RunColumn))
        .catch(() => undefined);
    }
    return () => {
      live = false;
    };
  }, [sidebar, group, model, wide]);

  const chooseColumns = (chosen: RunColumn[]) => {
    setColumns(chosen);
    sidebar.setColumns(group, model, chosen).catch(() => undefined);
  };
  const toggle = (version: string) =>
    setSelected(previous =>
      previous.includes(version)
        ? previous.filter(v => v !== version)
        : [...previous, version]
    );
  const hasRunData = pages.some(
    v => v.parameters !== undefined && v.parameters !== null
  );

  const shown = wide ? columns : [];
  return (
    <div
      className={`jp-PrimeHubModels-view${wide ? ' jp-mod-wide' : ' jp-mod-compact'}`}
    >
      <ViewHeader
        back={trans.__('← Models')}
        backTitle={trans.__('Back to models')}
        onBack={props.onBack}
        title={model}
      >
        <OpenTabButton onOpen={props.onOpenTab} trans={trans} />
      </ViewHeader>
      <ModelAbout group={group} model={model} trans={trans} />
      {wide ? (
        <div className="jp-PrimeHubModels-toolbar">
          <ColumnsPicker
            available={runColumns(pages)}
            chosen={columns}
            loading={runData && !hasRunData && !error}
            open={pickerOpen}
            onOpenChange={setPickerOpen}
            onChange={chooseColumns}
            trans={trans}
          />
          <Button
            small
            minimal
            disabled={selected.length < 2}
            onClick={() => props.onCompare(selected)}
            title={trans.__('Select two or more versions to compare them')}
          >
            {trans.__('Compare (%1)', selected.length)}
          </Button>
        </div>
      ) : (
        props.onOpenTab && (
          <div className="jp-PrimeHubModels-toolbar">
            <Button
              small
              minimal
              onClick={props.onOpenTab}
              title={trans.__(
                'Run columns, Compare and a metric chart, in a main-area tab'
              )}
            >
              {trans.__('Columns, Compare, chart…')}
            </Button>
          </div>
        )
      )}
      <ErrorLine error={error} />
      {wide && (
        <MetricChart
          versions={pages}
          available={runColumns(pages)}
          chosen={chart}
          loading={chart !== null && !hasRunData && !error}
          onOpen={() => setChartOpen(true)}
          onChoose={chooseChart}
          trans={trans}
        />
      )}
      {!error && pages.length === 0 && (
        <div className="jp-PrimeHubModels-empty">
          {data
            ? trans.__('This model has no versions yet.')
            : trans.__('Loading versions…')}
        </div>
      )}
      {pages.length > 0 && (
        <div className="jp-PrimeHubModels-tableScroller">
          <table
            className="jp-PrimeHubModels-table"
            aria-label={trans.__('Versions')}
          >
            <thead>
              <tr>
                {wide && (
                  <th>
                    <span className="jp-PrimeHubModels-visuallyHidden">
                      {trans.__('Select')}
                    </span>
                  </th>
                )}
                <th>{trans.__('Version')}</th>
                {wide && <th>{trans.__('Registered At')}</th>}
                {wide && <th>{trans.__('Aliases')}</th>}
                <th>{trans.__('Deployed By')}</th>
                {shown.map(c => (
                  <th key={c} data-column={c}>
                    {columnLabel(c)}
                  </th>
                ))}
                <th>
                  <span className="jp-PrimeHubModels-visuallyHidden">
                    {trans.__('Deploy')}
                  </span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pages.map(v => (
                <tr key={v.version} data-version={v.version}>
                  {wide && (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={trans.__('Select version %1', v.version)}
                        checked={selected.includes(v.version)}
                        onChange={() => toggle(v.version)}
                      />
                    </td>
                  )}
                  <td className="jp-mod-nowrap">
                    <button
                      className="jp-PrimeHubModels-link jp-PrimeHubModels-versionLink"
                      onClick={() => props.onOpenVersion(v.version)}
                      title={trans.__('Open version %1', v.version)}
                      aria-label={trans.__('Version %1', v.version)}
                    >
                      {wide
                        ? trans.__('Version %1', v.version)
                        : trans.__('v%1', v.version)}
                    </button>
                    {v.deployed_by.some(d => d.weight < 50) && (
                      <span
                        className="jp-PrimeHubModels-chip jp-PrimeHubModels-canary"
                        title={trans.__(
                          "A canary: serves part of a deployment's traffic"
                        )}
                      >
                        {trans.__('canary')}
                      </span>
                    )}
                    {v.status !== 'READY' && (
                      <span
                        className="jp-PrimeHubModels-chip"
                        title={trans.__('Status')}
                      >
                        {v.status}
                      </span>
                    )}
                    {!wide && v.aliases.length > 0 && (
                      <div className="jp-PrimeHubModels-aliasLine">
                        <AliasList aliases={v.aliases} />
                      </div>
                    )}
                  </td>
                  {wide && (
                    <td title={exactTime(v.creation_timestamp)}>
                      {relativeTime(v.creation_timestamp)}
                    </td>
                  )}
                  {wide && (
                    <td>
                      <AliasList aliases={v.aliases} />
                    </td>
                  )}
                  <td>
                    <DeployedByLinks
                      deployments={v.deployed_by}
                      onOpen={props.onOpenDeployment}
                      trans={trans}
                    />
                  </td>
                  {shown.map(c => (
                    <td key={c} data-column={c}>
                      {runValue(v, c)}
                    </td>
                  ))}
                  <td className="jp-mod-nowrap">
                    <Button
                      small
                      className="jp-PrimeHubModels-deployButton"
                      onClick={() => props.onDeploy(v)}
                      title={trans.__('Deploy version %1', v.version)}
                    >
                      {trans.__('Deploy')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && (
        <Button small onClick={() => setToken(more)}>
          {trans.__('More versions')}
        </Button>
      )}
    </div>
  );
}
