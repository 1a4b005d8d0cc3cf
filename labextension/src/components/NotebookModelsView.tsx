import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IModelVersion, notebookVersions } from '../api';
import { exactTime, relativeTime } from './time';
import { useRequest } from './useRequest';
import { AliasList, DeployedByLinks } from './VersionsView';
import { ErrorLine, ViewHeader } from './ViewParts';

/** The versions registered from a notebook's runs (its lineage), across models. */
export function NotebookModelsView(props: {
  group: string;
  path: string;
  reload: number;
  onOpenNotebook: () => void;
  onOpenVersion: (model: string, version: string) => void;
  onOpenDeployment: (id: string) => void;
  onDeploy: (version: IModelVersion) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { group, path, trans } = props;
  const { data, error } = useRequest(
    signal => notebookVersions(group, path, signal),
    [group, path, props.reload]
  );
  const name = path.split('/').pop() ?? path;
  return (
    <div className="jp-PrimeHubModels-view jp-mod-wide">
      <ViewHeader
        back=""
        backTitle=""
        title={trans.__('Models from %1', name)}
        hover={path}
      >
        <Button small minimal onClick={props.onOpenNotebook}>
          {trans.__('Open the notebook')}
        </Button>
      </ViewHeader>
      <ErrorLine error={error} />
      {!data && !error && (
        <div className="jp-PrimeHubModels-empty">{trans.__('Loading…')}</div>
      )}
      {data && data.versions.length === 0 && (
        <div className="jp-PrimeHubModels-empty">
          {trans.__(
            'No model versions were registered from runs of this notebook yet. Runs started in its kernel are tagged with it; register a logged model from one (mlflow.register_model, or log_model with registered_model_name).'
          )}
        </div>
      )}
      {data && data.versions.length > 0 && (
        <div className="jp-PrimeHubModels-tableScroller">
          <table
            className="jp-PrimeHubModels-table"
            aria-label={trans.__('Versions from this notebook')}
          >
            <thead>
              <tr>
                <th>{trans.__('Model')}</th>
                <th>{trans.__('Version')}</th>
                <th>{trans.__('Registered At')}</th>
                <th>{trans.__('Aliases')}</th>
                <th>{trans.__('Deployed By')}</th>
                <th>
                  <span className="jp-PrimeHubModels-visuallyHidden">
                    {trans.__('Deploy')}
                  </span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.versions.map(v => (
                <tr
                  key={`${v.name}/${v.version}`}
                  data-model={v.name}
                  data-version={v.version}
                >
                  <td>{v.name}</td>
                  <td className="jp-mod-nowrap">
                    <button
                      className="jp-PrimeHubModels-link"
                      onClick={() => props.onOpenVersion(v.name, v.version)}
                      title={trans.__('Open %1 version %2', v.name, v.version)}
                    >
                      {trans.__('Version %1', v.version)}
                    </button>
                  </td>
                  <td title={exactTime(v.creation_timestamp)}>
                    {relativeTime(v.creation_timestamp)}
                  </td>
                  <td>
                    <AliasList aliases={v.aliases} />
                  </td>
                  <td>
                    <DeployedByLinks
                      deployments={v.deployed_by}
                      onOpen={props.onOpenDeployment}
                      trans={trans}
                    />
                  </td>
                  <td>
                    <Button
                      small
                      className="jp-PrimeHubModels-deployButton"
                      onClick={() => props.onDeploy(v)}
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
    </div>
  );
}
