/**
 * The commands of the main-area pages: open a model, a version, a deployment (palette),
 * "Models from this notebook" (the notebook toolbar), copy a page's link, and the two the
 * plugin wires itself — the layout restorer's and the router's (deep links).
 */
import {
  ILabShell,
  ILayoutRestorer,
  IRouter,
  JupyterFrontEnd
} from '@jupyterlab/application';
import { Clipboard, InputDialog, WidgetTracker } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { listDeployments, messageOf } from './api';
import { modelsIcon } from './icons';
import { createPage, labUrl, ModelsPage } from './mainArea';
import { PrimeHubModelsModel } from './model';
import { parseModelUri } from './modelUri';
import {
  IPageArgs,
  isPageArgs,
  LINK_PARAM,
  pageId,
  pageLink,
  pageOfSearch
} from './pages';
import { CommandIDs, InternalCommandIDs } from './tokens';

export interface IPageCommandsOptions {
  app: JupyterFrontEnd;
  labShell: ILabShell;
  model: PrimeHubModelsModel;
  trans: TranslationBundle;
  restorer: ILayoutRestorer | null;
  notebooks: INotebookTracker | null;
  router: IRouter | null;
}

/** Registers the pages' commands; returns what opens (or activates) a page. */
export function registerPageCommands(
  options: IPageCommandsOptions
): (args: IPageArgs) => ModelsPage {
  const { app, labShell, model, trans, restorer, notebooks, router } = options;
  const tracker = new WidgetTracker<ModelsPage>({
    namespace: 'primehub-models'
  });
  const openPath = (path: string) =>
    void app.commands.execute('docmanager:open', { path });

  const openPage = (args: IPageArgs): ModelsPage => {
    const id = pageId(args);
    const open = tracker.find(page => page.id === id);
    if (open) {
      labShell.activateById(id);
      return open;
    }
    const page = createPage(args, model, { open: openPage, openPath }, trans);
    void tracker.add(page);
    labShell.add(page, 'main');
    labShell.activateById(page.id);
    return page;
  };
  const group = (args: ReadonlyPartialJSONObject): string | null =>
    typeof args.group === 'string' && args.group ? args.group : model.group;

  app.commands.addCommand(InternalCommandIDs.openPage, {
    label: trans.__('Open a Models page'),
    execute: args => {
      if (!isPageArgs(args)) {
        throw new Error(`Not a Models page: ${JSON.stringify(args)}`);
      }
      return openPage(args);
    }
  });

  app.commands.addCommand(CommandIDs.openModel, {
    label: trans.__('Open Model…'),
    caption: trans.__("A model's versions in a main-area tab"),
    icon: modelsIcon,
    execute: async args => {
      const g = group(args);
      let name = typeof args.model === 'string' ? args.model : null;
      if (!name) {
        const asked = await InputDialog.getText({
          title: trans.__('Open a model'),
          label: trans.__('Registered model name'),
          text: model.currentVersion?.model ?? ''
        });
        name = asked.button.accept ? (asked.value ?? '').trim() : null;
      }
      if (g && name) {
        openPage({ page: 'model', group: g, model: name });
      }
    }
  });

  app.commands.addCommand(CommandIDs.openVersion, {
    label: trans.__('Open Model Version…'),
    caption: trans.__(
      'A version in a main-area tab (the one in view, or a model URI)'
    ),
    execute: async args => {
      const g = group(args);
      let name = typeof args.model === 'string' ? args.model : null;
      let version = typeof args.version === 'string' ? args.version : null;
      if (!name || !version) {
        const current = model.currentVersion;
        const asked = await InputDialog.getText({
          title: trans.__('Open a model version'),
          label: trans.__('Model URI'),
          placeholder: 'models:/name/3',
          text: current ? `models:/${current.model}/${current.version}` : ''
        });
        const uri = asked.button.accept
          ? parseModelUri(asked.value ?? '')
          : null;
        name = uri?.name ?? null;
        version = uri?.version ?? null;
      }
      if (g && name && version) {
        openPage({ page: 'version', group: g, model: name, version });
      }
    }
  });

  app.commands.addCommand(CommandIDs.openDeployment, {
    label: trans.__('Open Deployment…'),
    caption: trans.__('A deployment in a main-area tab'),
    execute: async args => {
      const g = group(args);
      if (!g) {
        return;
      }
      let id = typeof args.id === 'string' ? args.id : null;
      if (!id) {
        let deployments;
        try {
          deployments = await listDeployments(g);
        } catch (reason) {
          throw new Error(messageOf(reason));
        }
        const labels = deployments.map(d => `${d.name} (${d.id})`);
        const asked = await InputDialog.getItem({
          title: trans.__('Open a deployment'),
          label: trans.__('Deployment of group %1', g),
          items: labels
        });
        const at = asked.button.accept ? labels.indexOf(asked.value ?? '') : -1;
        id = at >= 0 ? deployments[at].id : null;
      }
      if (id) {
        openPage({ page: 'deployment', group: g, id });
      }
    }
  });

  app.commands.addCommand(CommandIDs.notebookModels, {
    label: trans.__('Models from this notebook'),
    caption: trans.__(
      'The model versions registered from runs of this notebook, in a main-area tab'
    ),
    icon: modelsIcon,
    isEnabled: () => Boolean(notebooks?.currentWidget) && Boolean(model.group),
    execute: () => {
      const path = notebooks?.currentWidget?.context.path;
      if (path && model.group) {
        openPage({ page: 'notebook', group: model.group, path });
      }
    }
  });

  app.commands.addCommand(CommandIDs.copyLink, {
    label: trans.__('Copy Link to This Models Page'),
    isEnabled: () => Boolean(tracker.currentWidget),
    execute: () => {
      const page = tracker.currentWidget;
      if (page) {
        Clipboard.copyToSystem(pageLink(labUrl(), page.content.args));
      }
    }
  });

  // a deep link (…/lab?primehub-models=<group>/models/<model>/<version>) opens its page
  app.commands.addCommand(InternalCommandIDs.openLink, {
    label: trans.__('Open a Models page from a link'),
    execute: async args => {
      const search = typeof args.search === 'string' ? args.search : '';
      const found = pageOfSearch(search);
      if (!found) {
        return;
      }
      await app.restored;
      openPage(found);
      const url = new URL(window.location.href);
      url.searchParams.delete(LINK_PARAM);
      window.history.replaceState(window.history.state, '', url.toString());
    }
  });
  router?.register({
    command: InternalCommandIDs.openLink,
    pattern: new RegExp(`[?&]${LINK_PARAM}=`),
    rank: 40
  });

  restorer
    ?.restore(tracker, {
      command: InternalCommandIDs.openPage,
      args: page => ({ ...page.content.args }) as ReadonlyPartialJSONObject,
      name: page => pageId(page.content.args)
    })
    .catch(reason =>
      console.warn('PrimeHub Models: cannot restore pages', reason)
    );
  notebooks?.currentChanged.connect(() =>
    app.commands.notifyCommandChanged(CommandIDs.notebookModels)
  );
  tracker.currentChanged.connect(() =>
    app.commands.notifyCommandChanged(CommandIDs.copyLink)
  );
  return openPage;
}
