import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { IDeployment, IModelVersion } from '../api';
import { PrimeHubModelsModel } from '../model';
import { versionUri } from '../modelUri';
import { IPageArgs } from '../pages';
import { CompareView } from './CompareView';
import { DeploymentDetailView } from './DeploymentDetailView';
import { showDeployDialog } from './DeployDialog';
import { IDeployRequest } from './useDeployFlow';
import { NotebookModelsView } from './NotebookModelsView';
import { VersionDetailView } from './VersionDetailView';
import { VersionsView } from './VersionsView';

/** What a page asks of the shell: other pages, a notebook, closing itself. */
export interface IPageActions {
  open: (args: IPageArgs) => void;
  openPath: (path: string) => void;
  close: () => void;
}

/** One view of the Models page with the room of the main area; links open other tabs. */
function PageView(props: {
  args: IPageArgs;
  revision: number;
  model: PrimeHubModelsModel;
  actions: IPageActions;
  onTitle: (title: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { args, revision, model, actions, trans } = props;
  const group = args.group;
  const deploy = async (request: IDeployRequest) => {
    const done = await showDeployDialog({ group, trans, ...request });
    if (done) {
      actions.open({ page: 'deployment', group, id: done.id });
    }
  };
  const deployVersion = (v: IModelVersion) =>
    void deploy({
      modelUri: versionUri(v.name, v.version),
      modelName: v.name,
      aliases: v.aliases
    });
  const openVersion = (name: string, version: string) =>
    actions.open({ page: 'version', group, model: name, version });
  const openDeployment = (id: string) =>
    actions.open({ page: 'deployment', group, id });

  switch (args.page) {
    case 'model':
      return (
        <VersionsView
          key={revision}
          group={group}
          model={args.model}
          sidebar={model}
          wide
          onOpenVersion={version => openVersion(args.model, version)}
          onOpenDeployment={openDeployment}
          onDeploy={deployVersion}
          onCompare={versions =>
            actions.open({
              page: 'compare',
              group,
              model: args.model,
              versions
            })
          }
          trans={trans}
        />
      );
    case 'version':
      return (
        <VersionDetailView
          key={revision}
          group={group}
          model={args.model}
          version={args.version}
          sidebar={model}
          onOpenDeployment={openDeployment}
          onDeploy={deployVersion}
          trans={trans}
        />
      );
    case 'compare':
      return (
        <CompareView
          key={revision}
          group={group}
          model={args.model}
          versions={args.versions}
          onOpenVersion={version => openVersion(args.model, version)}
          trans={trans}
        />
      );
    case 'deployment':
      return (
        <DeploymentDetailView
          key={revision}
          group={group}
          id={args.id}
          onOpenVersion={openVersion}
          onLoaded={(d: IDeployment) => props.onTitle(d.name)}
          onUpdate={(d: IDeployment) =>
            void deploy({ modelUri: d.model_uri, deploymentId: d.id })
          }
          onDeleted={actions.close}
          trans={trans}
        />
      );
    case 'notebook':
      return (
        <NotebookModelsView
          group={group}
          path={args.path}
          reload={revision}
          onOpenNotebook={() => actions.openPath(args.path)}
          onOpenVersion={openVersion}
          onOpenDeployment={openDeployment}
          onDeploy={deployVersion}
          trans={trans}
        />
      );
  }
}

/** The content of a main-area tab: one page, refreshed on demand. */
export class ModelsPageContent extends ReactWidget {
  constructor(
    readonly args: IPageArgs,
    private readonly _model: PrimeHubModelsModel,
    private readonly _actions: IPageActions,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-PrimeHubModels-page');
  }

  /** The page's own name for its tab, once it knows it (a deployment's name). */
  get titleChanged(): ISignal<this, string> {
    return this._titleChanged;
  }

  refresh(): void {
    this._revision += 1;
    this.update();
  }

  render(): JSX.Element {
    return (
      <PageView
        args={this.args}
        revision={this._revision}
        model={this._model}
        actions={this._actions}
        onTitle={title => this._titleChanged.emit(title)}
        trans={this._trans}
      />
    );
  }

  private _revision = 0;
  private _titleChanged = new Signal<this, string>(this);
}
