/**
 * The API's objects, by the names the extension uses: aliases of the generated schema
 * (`schema.d.ts`), so the server's document is the one definition.
 */
import type { components } from './schema';

type Schemas = components['schemas'];

export type IMlflowBinding = Schemas['MlflowBinding'];
export type IGroup = Schemas['Group'];
export type IGroupList = Schemas['GroupList'];
export type IStatus = Schemas['Status'];
export type MlflowState = IStatus['mlflow'];
export type IRegisteredModel = Schemas['RegisteredModel'];
export type IModelPage = Schemas['ModelPage'];
export type IDeployedBy = Schemas['DeployedBy'];
export type IModelVersion = Schemas['ModelVersion'];
export type IVersionPage = Schemas['VersionPage'];
export type ISourceRun = Schemas['SourceRun'];
export type ISourceNotebook = Schemas['SourceNotebook'];
export type ILoggedModel = Schemas['LoggedModel'];
export type IVersionDetail = Schemas['VersionDetail'];
export type ISchemaField = Schemas['SchemaField'];
export type IVersionSignature = Schemas['VersionSignature'];
export type IEnvVar = Schemas['EnvVar'];
export type IHistoryEntry = Schemas['HistoryEntry'];
export type IDeployment = Schemas['Deployment'];
export type IDeploymentList = Schemas['DeploymentList'];
/** A new deployment as the Deploy dialog sends it: every field, one model URI or a split. */
export type IDeploymentSpec = Required<
  Omit<Schemas['DeploymentCreate'], 'model_uri' | 'traffic'>
> &
  Pick<Schemas['DeploymentCreate'], 'model_uri' | 'traffic'>;
export type ITrafficShare = Schemas['TrafficShare'];
export type IDeploymentPatch = Schemas['DeploymentPatch'];
export type ILogLines = Schemas['LogLines'];
export type IErrorBody = Schemas['ErrorBody'];
export type Phase = IDeployment['phase'];
export type Access = IDeployment['access'];
