import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IDeployment, IModelVersion } from '../api';
import { PrimeHubModelsModel } from '../model';
import { CompareView } from './CompareView';
import { DeploymentDetailView } from './DeploymentDetailView';
import { DeploymentsView } from './DeploymentsView';
import { ModelList } from './ModelList';
import { backFromDeployment, View } from './navigation';
import { IDeployRequest } from './useDeployFlow';
import { VersionDetailView } from './VersionDetailView';
import { VersionsView } from './VersionsView';

export interface IViewSwitchProps {
  view: View;
  setView: (next: View | ((previous: View) => View)) => void;
  group: string;
  model: PrimeHubModelsModel;
  deploy: (request: IDeployRequest) => Promise<void>;
  deployVersion: (version: IModelVersion) => void;
  trans: TranslationBundle;
}

/** The view the panel is on, wired to the navigation between views. */
export function ViewSwitch(props: IViewSwitchProps): JSX.Element {
  const { view, setView, group, model, trans } = props;
  const revision = model.revision;
  const openVersion = (name: string, version: string) =>
    setView({ kind: 'version', model: name, version });
  const openDeployment = (id: string) =>
    setView(previous => ({ kind: 'deployment', id, from: previous }));

  switch (view.kind) {
    case 'models':
      return (
        <ModelList
          group={group}
          pageSize={model.settings.pageSize}
          reload={revision}
          onOpenModel={name => {
            // the sidebar's compact versions, and the model's tab with room for the rest
            setView({ kind: 'versions', model: name });
            model.openPage({ page: 'model', group, model: name });
          }}
          trans={trans}
        />
      );
    case 'versions':
      return (
        <VersionsView
          key={`${group}/${view.model}/${revision}`}
          group={group}
          model={view.model}
          sidebar={model}
          onBack={() => setView({ kind: 'models' })}
          onOpenTab={() =>
            model.openPage({ page: 'model', group, model: view.model })
          }
          onOpenVersion={version => openVersion(view.model, version)}
          onOpenDeployment={openDeployment}
          onDeploy={props.deployVersion}
          onCompare={versions =>
            setView({ kind: 'compare', model: view.model, versions })
          }
          trans={trans}
        />
      );
    case 'version':
      return (
        <VersionDetailView
          key={revision}
          group={group}
          model={view.model}
          version={view.version}
          sidebar={model}
          onBack={() => setView({ kind: 'versions', model: view.model })}
          onOpenTab={() =>
            model.openPage({
              page: 'version',
              group,
              model: view.model,
              version: view.version
            })
          }
          onOpenDeployment={openDeployment}
          onDeploy={props.deployVersion}
          trans={trans}
        />
      );
    case 'compare':
      return (
        <CompareView
          group={group}
          model={view.model}
          versions={view.versions}
          onBack={() => setView({ kind: 'versions', model: view.model })}
          onOpenTab={() =>
            model.openPage({
              page: 'compare',
              group,
              model: view.model,
              versions: view.versions
            })
          }
          onOpenVersion={version => openVersion(view.model, version)}
          trans={trans}
        />
      );
    case 'deployments':
      return (
        <DeploymentsView
          group={group}
          reload={revision}
          onOpenDeployment={openDeployment}
          onOpenVersion={openVersion}
          trans={trans}
        />
      );
    case 'deployment':
      return (
        <DeploymentDetailView
          key={`${view.id}/${revision}`}
          group={group}
          id={view.id}
          onBack={() => setView(backFromDeployment(view))}
          onOpenTab={() =>
            model.openPage({ page: 'deployment', group, id: view.id })
          }
          onOpenVersion={openVersion}
          onUpdate={(d: IDeployment) =>
            void props.deploy({ modelUri: d.model_uri, deploymentId: d.id })
          }
          onDeleted={() => setView({ kind: 'deployments' })}
          trans={trans}
        />
      );
  }
}
