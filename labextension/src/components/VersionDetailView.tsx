import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  deleteAlias,
  editVersion,
  getSignature,
  getVersion,
  IVersionDetail,
  setAlias,
  TagChanges
} from '../api';
import { PrimeHubModelsModel } from '../model';
import {
  AliasChips,
  EditableDescription,
  EditableTags
} from './RegistryEditors';
import { SignatureView } from './SignatureView';
import { exactTime, formatTime } from './time';
import { DeployedByLinks } from './VersionsView';
import {
  CopyButton,
  ErrorLine,
  KeyValues,
  ViewHeader,
  OpenTabButton
} from './ViewParts';
import { useRequest } from './useRequest';

export interface IVersionDetailViewProps {
  group: string;
  model: string;
  version: string;
  sidebar: PrimeHubModelsModel;
  /** In the sidebar: back to where it came from (a main-area tab has none). */
  onBack?: () => void;
  /** In the sidebar: the same view as a main-area tab. */
  onOpenTab?: () => void;
  onOpenDeployment: (id: string) => void;
  onDeploy: (version: IVersionDetail) => void;
  trans: TranslationBundle;
}

function ExternalLink(props: {
  href: string | null;
  text: string;
  className?: string;
}): JSX.Element {
  return props.href ? (
    <a
      href={props.href}
      target="_blank"
      rel="noopener noreferrer"
      className={props.className}
    >
      {props.text}
    </a>
  ) : (
    <>{props.text}</>
  );
}

/**
 * One version: Registered At, Last Modified, Source Run, Source notebook, model URI,
 * description, Deployed By; Parameters, Metrics, Tags; signature and input example;
 * the MLflow 3 logged model.
 */
export function VersionDetailView(props: IVersionDetailViewProps): JSX.Element {
  const { group, model, version, sidebar, trans } = props;
  const loaded = useRequest(
    signal => getVersion(group, model, version, signal),
    [group, model, version]
  );
  // what a write answered (or a reload after one): shown instead of the first load
  const [fresh, setFresh] = React.useState<IVersionDetail | null>(null);
  React.useEffect(() => setFresh(null), [group, model, version]);
  const data = fresh ?? loaded.data;
  const error = loaded.error;
  const reload = async () => setFresh(await getVersion(group, model, version));
  const aliasSet = async (alias: string) => {
    await setAlias(group, model, alias, version);
    await reload();
  };
  const aliasDeleted = async (alias: string) => {
    await deleteAlias(group, model, alias);
    await reload();
  };
  const edited = async (edit: { description?: string; tags?: TagChanges }) =>
    setFresh(await editVersion(group, model, version, edit));
  const signature = useRequest(
    signal => getSignature(group, model, version, signal),
    [group, model, version]
  );
  React.useEffect(() => {
    if (data) {
      sidebar.setCurrentVersion({
        group,
        model,
        version,
        aliases: data.aliases
      });
    }
  }, [data, sidebar, group, model, version]);

  const notebook = data?.source_notebook;
  const logged = data?.logged_model;
  return (
    <div className="jp-PrimeHubModels-view">
      <ViewHeader
        back={trans.__('← Versions')}
        backTitle={trans.__('Back to versions')}
        onBack={props.onBack}
        title={trans.__('%1, version %2', model, version)}
        hover={model}
      >
        {data && (
          <Button
            small
            className="jp-PrimeHubModels-deployButton"
            onClick={() => props.onDeploy(data)}
          >
            {trans.__('Deploy')}
          </Button>
        )}
        <OpenTabButton onOpen={props.onOpenTab} trans={trans} />
      </ViewHeader>
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
                <ExternalLink
                  href={data.source_run.ui_url}
                  text={data.source_run.name ?? data.source_run.id}
                  className="jp-PrimeHubModels-sourceRun"
                />
              ) : (
                '—'
              )}
            </dd>
            <dt>{trans.__('Source notebook')}</dt>
            <dd>
              {notebook?.lab_path ? (
                <button
                  className="jp-PrimeHubModels-link jp-PrimeHubModels-sourceNotebook"
                  title={trans.__('Open %1 in JupyterLab', notebook.lab_path)}
                  onClick={() => sidebar.openPath(notebook.lab_path ?? '')}
                >
                  {notebook.lab_path}
                </button>
              ) : notebook ? (
                <span title={trans.__('Not under this Jupyter server’s root')}>
                  {notebook.path}
                </span>
              ) : (
                '—'
              )}
            </dd>
            <dt>{trans.__('Model URI')}</dt>
            <dd>
              <code>{data.model_uri}</code>{' '}
              <CopyButton
                text={data.model_uri}
                title={trans.__('Copy the model URI')}
                trans={trans}
              />
            </dd>
            <dt>{trans.__('Aliases')}</dt>
            <dd>
              <AliasChips
                aliases={data.aliases}
                onSet={aliasSet}
                onDelete={aliasDeleted}
                trans={trans}
              />
            </dd>
            <dt>{trans.__('Deployed By')}</dt>
            <dd>
              {data.deployed_by.length ? (
                <DeployedByLinks
                  deployments={data.deployed_by}
                  onOpen={props.onOpenDeployment}
                  trans={trans}
                />
              ) : (
                '—'
              )}
            </dd>
            <dt>{trans.__('Description')}</dt>
            <dd>
              <EditableDescription
                value={data.description}
                onSave={description => edited({ description })}
                trans={trans}
              />
            </dd>
            {data.ui_url && (
              <>
                <dt>{trans.__('MLflow')}</dt>
                <dd>
                  <ExternalLink
                    href={data.ui_url}
                    text={trans.__('Open in the MLflow UI')}
                  />
                </dd>
              </>
            )}
          </dl>
          <KeyValues
            title={trans.__('Parameters')}
            values={data.parameters}
            empty={trans.__('No parameters')}
            trans={trans}
          />
          <KeyValues
            title={trans.__('Metrics')}
            values={data.metrics}
            empty={trans.__('No metrics')}
            trans={trans}
          />
          <EditableTags
            title={trans.__('Tags')}
            tags={data.tags}
            onSave={tags => edited({ tags })}
            trans={trans}
          />
          <SignatureView
            signature={signature.data}
            error={signature.error}
            trans={trans}
          />
          {logged && (
            <section
              className="jp-PrimeHubModels-section"
              aria-label={trans.__('Logged model')}
            >
              <h4>{trans.__('Logged model')}</h4>
              <dl className="jp-PrimeHubModels-fields">
                <dt>{trans.__('ID')}</dt>
                <dd>
                  <ExternalLink href={logged.ui_url} text={logged.id} />
                </dd>
                <dt>{trans.__('Name')}</dt>
                <dd>{logged.name ?? '—'}</dd>
                <dt>{trans.__('Status')}</dt>
                <dd>{logged.status ?? '—'}</dd>
                <dt>{trans.__('Artifacts')}</dt>
                <dd>
                  <code>{logged.artifact_uri ?? '—'}</code>
                </dd>
              </dl>
              {Object.keys(logged.metrics).length > 0 && (
                <KeyValues
                  title={trans.__('Logged model metrics')}
                  values={logged.metrics}
                  empty=""
                  trans={trans}
                />
              )}
            </section>
          )}
        </>
      )}
    </div>
  );
}
