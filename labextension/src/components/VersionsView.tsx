import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IModelVersion, listVersions } from '../api';
import { exactTime, formatTime } from './time';
import { ErrorLine, ViewHeader } from './ViewParts';
import { useRequest } from './useRequest';

export interface IVersionsViewProps {
  group: string;
  model: string;
  onBack: () => void;
  onOpenVersion: (version: string) => void;
  trans: TranslationBundle;
}

/** A model's versions, newest first: Version, Registered At, Status, Aliases, Deployed By. */
export function VersionsView(props: IVersionsViewProps): JSX.Element {
  const { group, model, onBack, onOpenVersion, trans } = props;
  const [pages, setPages] = React.useState<IModelVersion[]>([]);
  const [token, setToken] = React.useState<string | null>(null);
  const [more, setMore] = React.useState<string | null>(null);
  const { data, error } = useRequest(
    signal => listVersions(group, model, token, signal),
    [group, model, token]
  );
  React.useEffect(() => {
    if (data) {
      setPages(previous =>
        token ? [...previous, ...data.versions] : data.versions
      );
      setMore(data.next_page_token);
    }
  }, [data, token]);

  return (
    <div className="jp-PrimeHubModels-view">
      <ViewHeader
        back={trans.__('← Models')}
        backTitle={trans.__('Back to models')}
        onBack={onBack}
        title={model}
      />
      <ErrorLine error={error} />
      {!error && pages.length === 0 && (
        <div className="jp-PrimeHubModels-empty">
          {data
            ? trans.__('This model has no versions yet.')
            : trans.__('Loading versions…')}
        </div>
      )}
      {pages.length > 0 && (
        <table
          className="jp-PrimeHubModels-table"
          aria-label={trans.__('Versions')}
        >
          <thead>
            <tr>
              <th>{trans.__('Version')}</th>
              <th>{trans.__('Registered At')}</th>
              <th>{trans.__('Status')}</th>
              <th>{trans.__('Aliases')}</th>
              <th>{trans.__('Deployed By')}</th>
            </tr>
          </thead>
          <tbody>
            {pages.map(v => (
              <tr key={v.version} data-version={v.version}>
                <td>
                  <button
                    className="jp-PrimeHubModels-link"
                    onClick={() => onOpenVersion(v.version)}
                    title={trans.__('Open version %1', v.version)}
                  >
                    {trans.__('Version %1', v.version)}
                  </button>
                </td>
                <td title={exactTime(v.creation_timestamp)}>
                  {formatTime(v.creation_timestamp)}
                </td>
                <td>{v.status}</td>
                <td>
                  {v.aliases.map(alias => (
                    <span key={alias} className="jp-PrimeHubModels-chip">
                      @{alias}
                    </span>
                  ))}
                </td>
                <td>
                  {v.deployed_by.map(d => (
                    <span
                      key={d.id}
                      className="jp-PrimeHubModels-chip"
                      title={d.phase}
                    >
                      {d.name}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && (
        <Button small onClick={() => setToken(more)}>
          {trans.__('More versions')}
        </Button>
      )}
    </div>
  );
}
