import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IDeployment, IModelVersion } from '../api';
import { PrimeHubModelsModel } from '../model';
import { versionUri } from '../modelUri';
import { showDeployDialog } from './DeployDialog';

export interface IDeployRequest {
  modelUri: string;
  modelName?: string;
  aliases?: string[];
  deploymentId?: string | null;
}

/**
 * The Deploy dialog for the current group; `onDeployed` gets the deployment created or
 * updated. The palette's "Deploy Model Version" opens it on the version in view.
 */
export function useDeployFlow(
  model: PrimeHubModelsModel,
  trans: TranslationBundle,
  onDeployed: (deployment: IDeployment) => void
): {
  deploy: (request: IDeployRequest) => Promise<void>;
  deployVersion: (version: IModelVersion) => void;
} {
  const deploy = React.useCallback(
    async (request: IDeployRequest) => {
      const group = model.group;
      if (!group) {
        return;
      }
      const done = await showDeployDialog({ group, trans, ...request });
      if (done) {
        onDeployed(done);
      }
    },
    [model, trans, onDeployed]
  );

  React.useEffect(() => {
    const onRequest = () => {
      const v = model.currentVersion;
      void deploy(
        v
          ? {
              modelUri: versionUri(v.model, v.version),
              modelName: v.model,
              aliases: v.aliases
            }
          : { modelUri: '' }
      );
    };
    model.deployRequested.connect(onRequest);
    return () => {
      model.deployRequested.disconnect(onRequest);
    };
  }, [model, deploy]);

  const deployVersion = React.useCallback(
    (v: IModelVersion) =>
      void deploy({
        modelUri: v.model_uri,
        modelName: v.name,
        aliases: v.aliases
      }),
    [deploy]
  );
  return { deploy, deployVersion };
}
