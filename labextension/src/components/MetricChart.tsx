import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis
} from 'recharts';

import { IModelVersion } from '../api';
import { columnLabel, RunColumn } from './ColumnsPicker';

/** One version's point: its number, the run value, and what marks it. */
export interface IChartPoint {
  version: number;
  value: number;
  aliases: string[];
  deployed: boolean;
}

/** The chosen metric (or numeric parameter) of each version's run, by version number. */
export function chartPoints(
  versions: readonly IModelVersion[],
  column: RunColumn
): IChartPoint[] {
  const key = columnLabel(column);
  const points: IChartPoint[] = [];
  for (const v of versions) {
    const raw = column.startsWith('param:')
      ? v.parameters?.[key]
      : v.metrics?.[key];
    const value = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof value === 'number' && Number.isFinite(value)) {
      points.push({
        version: Number(v.version),
        value,
        aliases: v.aliases,
        deployed: v.deployed_by.length > 0
      });
    }
  }
  return points.sort((a, b) => a.version - b.version);
}

interface IDotProps {
  cx?: number;
  cy?: number;
  payload?: IChartPoint;
}

/** A version's dot: filled when deployed, its aliases written above it. */
function VersionDot(props: IDotProps): JSX.Element {
  const { cx, cy, payload } = props;
  if (cx === undefined || cy === undefined || !payload) {
    return <g />;
  }
  return (
    <g
      className="jp-PrimeHubModels-chartPoint"
      data-version={payload.version}
      data-value={payload.value}
      data-deployed={payload.deployed}
      data-aliases={payload.aliases.join(' ')}
    >
      <circle
        cx={cx}
        cy={cy}
        r={payload.deployed ? 6 : 4}
        className={payload.deployed ? 'jp-mod-deployed' : undefined}
      />
      {payload.aliases.length > 0 && (
        <text x={cx} y={cy - 10} textAnchor="middle">
          {payload.aliases.map(a => `@${a}`).join(' ')}
        </text>
      )}
    </g>
  );
}

/** A run metric or parameter plotted over the version numbers, aliases and deployed
 * versions marked (PrimeHub's columns, as a chart). */
export function MetricChart(props: {
  versions: readonly IModelVersion[];
  available: RunColumn[];
  chosen: RunColumn | null;
  loading: boolean;
  onOpen: () => void;
  onChoose: (column: RunColumn | null) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { chosen, trans } = props;
  const points = chosen ? chartPoints(props.versions, chosen) : [];
  const options = props.available.includes(chosen as RunColumn)
    ? props.available
    : [...(chosen ? [chosen] : []), ...props.available];
  const label = chosen ? columnLabel(chosen) : '';
  return (
    <section
      className="jp-PrimeHubModels-section jp-PrimeHubModels-chart"
      aria-label={trans.__('Metric across versions')}
    >
      <label className="jp-PrimeHubModels-chartPicker">
        {trans.__('Plot across versions')}{' '}
        <select
          className="jp-mod-styled"
          value={chosen ?? ''}
          onFocus={props.onOpen}
          onMouseDown={props.onOpen}
          onChange={e =>
            props.onChoose((e.currentTarget.value || null) as RunColumn | null)
          }
        >
          <option value="">
            {props.loading
              ? trans.__('Loading run data…')
              : trans.__('Choose a metric or parameter')}
          </option>
          {options.map(c => (
            <option key={c} value={c}>
              {c.startsWith('param:')
                ? trans.__('parameter %1', columnLabel(c))
                : trans.__('metric %1', columnLabel(c))}
            </option>
          ))}
        </select>
      </label>
      {chosen && !props.loading && points.length === 0 && (
        <div className="jp-PrimeHubModels-note">
          {trans.__('No version of this page has a number for %1.', label)}
        </div>
      )}
      {points.length > 0 && (
        <div
          className="jp-PrimeHubModels-chartArea"
          role="img"
          aria-label={trans.__(
            '%1 across versions %2 to %3',
            label,
            points[0].version,
            points[points.length - 1].version
          )}
        >
          <ResponsiveContainer width="100%" height={240}>
            <LineChart
              data={points}
              margin={{ top: 24, right: 24, bottom: 8, left: 8 }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="version"
                type="number"
                domain={['dataMin', 'dataMax']}
                allowDecimals={false}
                padding={{ left: 40, right: 40 }}
                tickFormatter={v => `v${v}`}
              />
              <YAxis
                dataKey="value"
                domain={['auto', 'auto']}
                width={64}
                tickFormatter={v => String(Number(Number(v).toPrecision(4)))}
              />
              <Tooltip
                formatter={value => [String(value), label]}
                labelFormatter={v => trans.__('Version %1', String(v))}
              />
              <Line
                type="linear"
                dataKey="value"
                isAnimationActive={false}
                dot={(p: IDotProps & { key?: React.Key | null }) => (
                  <VersionDot
                    key={p.key ?? p.payload?.version}
                    cx={p.cx}
                    cy={p.cy}
                    payload={p.payload}
                  />
                )}
                activeDot={false}
              />
            </LineChart>
          </ResponsiveContainer>
          <div className="jp-PrimeHubModels-note">
            {trans.__('Filled: deployed. Labels: aliases.')}
          </div>
        </div>
      )}
    </section>
  );
}
