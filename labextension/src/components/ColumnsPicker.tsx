import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

/** A column of the versions table taken from the runs: ``param:C`` or ``metric:f1``. */
export type RunColumn = `param:${string}` | `metric:${string}`;

export function columnLabel(column: string): string {
  return column.slice(column.indexOf(':') + 1);
}

export interface IColumnsPickerProps {
  /** Every parameter and metric the loaded versions' runs have. */
  available: RunColumn[];
  chosen: RunColumn[];
  loading: boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onChange: (columns: RunColumn[]) => void;
  trans: TranslationBundle;
}

/** Adds run parameters and metrics as columns of the versions table (PrimeHub's picker). */
export function ColumnsPicker(props: IColumnsPickerProps): JSX.Element {
  const { available, chosen, loading, open, onOpenChange, onChange, trans } =
    props;
  const toggle = (column: RunColumn) =>
    onChange(
      chosen.includes(column)
        ? chosen.filter(c => c !== column)
        : [...chosen, column]
    );
  const group = (kind: 'param' | 'metric', title: string) => {
    const columns = available.filter(c => c.startsWith(kind + ':'));
    return (
      columns.length > 0 && (
        <fieldset className="jp-PrimeHubModels-columnGroup">
          <legend>{title}</legend>
          {columns.map(column => (
            <label key={column}>
              <input
                type="checkbox"
                checked={chosen.includes(column)}
                onChange={() => toggle(column)}
              />
              {columnLabel(column)}
            </label>
          ))}
        </fieldset>
      )
    );
  };
  return (
    <div className="jp-PrimeHubModels-columnsPicker">
      <Button
        small
        minimal
        aria-expanded={open}
        onClick={() => onOpenChange(!open)}
        title={trans.__('Add run parameters and metrics as columns')}
      >
        {chosen.length
          ? trans.__('Columns (%1)', chosen.length)
          : trans.__('Columns')}
      </Button>
      {open && (
        <div
          className="jp-PrimeHubModels-popover"
          role="dialog"
          aria-label={trans.__('Columns')}
          onKeyDown={event => {
            if (event.key === 'Escape') {
              onOpenChange(false);
            }
          }}
        >
          {loading && <div>{trans.__('Loading runs…')}</div>}
          {!loading && available.length === 0 && (
            <div>
              {trans.__('These versions have no run parameters or metrics.')}
            </div>
          )}
          {group('param', trans.__('Parameters'))}
          {group('metric', trans.__('Metrics'))}
          {chosen.length > 0 && (
            <Button small minimal onClick={() => onChange([])}>
              {trans.__('Clear')}
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
