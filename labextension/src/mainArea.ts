/**
 * The Models page's main-area tabs: a `MainAreaWidget` per page (one per thing), with a
 * toolbar (refresh, copy link, MLflow UI, deploy), tracked so that a reload restores it.
 */
import {
  Clipboard,
  MainAreaWidget,
  showErrorMessage,
  ToolbarButton
} from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import { launchIcon, linkIcon, refreshIcon } from '@jupyterlab/ui-components';

import { getModel, getVersion, messageOf } from './api';
import { showDeployDialog } from './components/DeployDialog';
import { IPageActions, ModelsPageContent } from './components/ModelsPage';
import { modelsIcon } from './icons';
import { PrimeHubModelsModel } from './model';
import { versionUri } from './modelUri';
import { IPageArgs, pageId, pageLink } from './pages';

export type ModelsPage = MainAreaWidget<ModelsPageContent>;

/** The tab's label: the model, the version, the comparison, the deployment, the notebook. */
export function pageTitle(args: IPageArgs, trans: TranslationBundle): string {
  switch (args.page) {
    case 'model':
      return args.model;
    case 'version':
      return trans.__('%1 v%2', args.model, args.version);
    case 'compare':
      return trans.__('%1: compare %2', args.model, args.versions.join(', '));
    case 'deployment':
      return args.id;
    case 'notebook':
      return trans.__(
        'Models from %1',
        args.path.split('/').pop() ?? args.path
      );
  }
}

/** This Lab's address (`…/lab`), for links that open a page in a fresh browser tab. */
export function labUrl(): string {
  return URLExt.join(
    PageConfig.getBaseUrl(),
    PageConfig.getOption('appUrl') || '/lab'
  );
}

/** Where the page lives in the group's MLflow UI (the group's UI when it has no page). */
function mlflowUrl(model: PrimeHubModelsModel, args: IPageArgs): string | null {
  const ui = model.groups?.find(g => g.name === args.group)?.mlflow.ui_url;
  if (!ui) {
    return null;
  }
  const base = ui.replace(/\/+$/, '');
  if (args.page === 'model' || args.page === 'compare') {
    return `${base}/#/models/${encodeURIComponent(args.model)}`;
  }
  if (args.page === 'version') {
    return `${base}/#/models/${encodeURIComponent(args.model)}/versions/${args.version}`;
  }
  return base;
}

export function createPage(
  args: IPageArgs,
  model: PrimeHubModelsModel,
  actions: Omit<IPageActions, 'close'>,
  trans: TranslationBundle
): ModelsPage {
  let page: ModelsPage | null = null;
  const content = new ModelsPageContent(
    args,
    model,
    { ...actions, close: () => page?.close() },
    trans
  );
  page = new MainAreaWidget({ content });
  page.id = pageId(args);
  page.addClass('jp-PrimeHubModels-pageWidget');
  page.title.label = pageTitle(args, trans);
  page.title.caption = trans.__('%1 (group %2)', page.title.label, args.group);
  page.title.icon = modelsIcon;
  page.title.closable = true;
  content.titleChanged.connect((_, title) => {
    if (page && page.title.label !== title) {
      page.title.label = title;
      page.title.caption = trans.__('%1 (group %2)', title, args.group);
    }
  });

  const toolbar = page.toolbar;
  toolbar.addItem(
    'refresh',
    new ToolbarButton({
      icon: refreshIcon,
      tooltip: trans.__('Refresh'),
      onClick: () => content.refresh()
    })
  );
  toolbar.addItem(
    'copy-link',
    new ToolbarButton({
      icon: linkIcon,
      label: trans.__('Copy link'),
      tooltip: trans.__('Copy a link that opens this view (for a team chat)'),
      onClick: () => Clipboard.copyToSystem(pageLink(labUrl(), args))
    })
  );
  // (the groups may still be loading when a restored tab is made: read at the click)
  toolbar.addItem(
    'mlflow-ui',
    new ToolbarButton({
      icon: launchIcon,
      label: trans.__('MLflow UI'),
      tooltip: trans.__('Open this in the MLflow UI (a new browser tab)'),
      onClick: () => {
        const ui = mlflowUrl(model, args);
        if (ui) {
          window.open(ui, '_blank', 'noopener,noreferrer');
        } else {
          void showErrorMessage(
            trans.__('MLflow UI'),
            trans.__('Group %1 has no MLflow UI address (ui_url).', args.group)
          );
        }
      }
    })
  );
  if (args.page === 'model' || args.page === 'version') {
    toolbar.addItem(
      'deploy',
      new ToolbarButton({
        label: trans.__('Deploy…'),
        className: 'jp-PrimeHubModels-pageDeploy',
        tooltip:
          args.page === 'version'
            ? trans.__('Deploy this version')
            : trans.__("Deploy this model's latest version"),
        onClick: () => void deployFrom(args, actions, trans)
      })
    );
  }
  return page;
}

async function deployFrom(
  args: IPageArgs & { page: 'model' | 'version' },
  actions: Omit<IPageActions, 'close'>,
  trans: TranslationBundle
): Promise<void> {
  const group = args.group;
  let version: string | null = args.page === 'version' ? args.version : null;
  let aliases: string[] = [];
  try {
    if (args.page === 'version') {
      aliases = (await getVersion(group, args.model, args.version)).aliases;
    } else {
      const found = await getModel(group, args.model);
      version = found.latest_version;
      aliases = Object.keys(found.aliases);
    }
  } catch (reason) {
    console.warn('PrimeHub Models:', messageOf(reason));
  }
  const done = await showDeployDialog({
    group,
    trans,
    modelUri: version
      ? versionUri(args.model, version)
      : `models:/${args.model}/`,
    modelName: args.model,
    aliases
  });
  if (done) {
    actions.open({ page: 'deployment', group, id: done.id });
  }
}
