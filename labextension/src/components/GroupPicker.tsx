import { TranslationBundle } from '@jupyterlab/translation';
import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IGroup } from '../api';

export interface IGroupPickerProps {
  groups: IGroup[];
  value: string | null;
  onChange: (group: string) => void;
  trans: TranslationBundle;
}

/** The group whose registry the panel shows; a user may belong to several. */
export function GroupPicker(props: IGroupPickerProps): JSX.Element {
  const { groups, value, onChange, trans } = props;
  return (
    <label className="jp-PrimeHubModels-groupPicker">
      <span className="jp-PrimeHubModels-label">{trans.__('Group')}</span>
      <HTMLSelect
        aria-label={trans.__('Group')}
        value={value ?? ''}
        onChange={event => onChange(event.currentTarget.value)}
        options={groups.map(group => ({
          value: group.name,
          label: group.mlflow.configured
            ? group.display_name
            : trans.__('%1 (MLflow not configured)', group.display_name)
        }))}
      />
    </label>
  );
}
