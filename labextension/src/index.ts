import {
  ILabShell,
  ILayoutRestorer,
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { ModelsSidebar } from './components/ModelsPanel';
import { setDisplayLocale } from './components/time';
import { modelsIcon } from './icons';
import { PrimeHubModelsModel } from './model';
import { registerPageCommands } from './pageCommands';
import { IPageArgs } from './pages';
import {
  CommandIDs,
  DEFAULT_SETTINGS,
  IPrimeHubModels,
  ISidebarSettings,
  PLUGIN_ID
} from './tokens';

export { IPrimeHubModels } from './tokens';

const plugin: JupyterFrontEndPlugin<IPrimeHubModels> = {
  id: PLUGIN_ID,
  description:
    "Browse the group's MLflow Model Registry and deploy model versions.",
  autoStart: true,
  provides: IPrimeHubModels,
  requires: [ILabShell],
  optional: [
    ITranslator,
    ISettingRegistry,
    ICommandPalette,
    ILayoutRestorer,
    IStateDB,
    INotebookTracker,
    IRouter
  ],
  activate: (
    app: JupyterFrontEnd,
    labShell: ILabShell,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    state: IStateDB | null,
    notebooks: INotebookTracker | null,
    router: IRouter | null
  ): IPrimeHubModels => {
    const trans = (translator ?? nullTranslator).load(
      'jupyter_primehub_models'
    );
    setDisplayLocale(translator?.languageCode);
    let openPage: (args: IPageArgs) => void = () => undefined;
    const model = new PrimeHubModelsModel(
      state,
      path => void app.commands.execute('docmanager:open', { path }),
      args => openPage(args)
    );
    const sidebar = new ModelsSidebar(model, trans);
    sidebar.id = 'jp-primehub-models';
    sidebar.title.icon = modelsIcon;
    sidebar.title.caption = trans.__('Models');
    labShell.add(sidebar, 'left', { rank: 850 });
    restorer?.add(sidebar, 'jp-primehub-models');

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () =>
            model.setSettings({
              ...DEFAULT_SETTINGS,
              ...(settings.composite as unknown as Partial<ISidebarSettings>)
            });
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason =>
          console.error('PrimeHub Models: cannot load settings', reason)
        )
        .finally(() => model.load());
    } else {
      model.load();
    }

    // the main-area pages: a model's versions, a version, a deployment, … as tabs
    openPage = registerPageCommands({
      app,
      labShell,
      model,
      trans,
      restorer,
      notebooks,
      router
    });

    const category = trans.__('PrimeHub Models');
    app.commands.addCommand(CommandIDs.open, {
      label: trans.__('Open Models'),
      caption: trans.__('Show the Models sidebar'),
      icon: modelsIcon,
      execute: () => labShell.activateById(sidebar.id)
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh Models'),
      execute: () => model.refresh()
    });
    app.commands.addCommand(CommandIDs.openMlflowUi, {
      label: trans.__('Open MLflow UI'),
      isEnabled: () => Boolean(model.status?.ui_url),
      execute: () => {
        const url = model.status?.ui_url;
        if (url) {
          window.open(url, '_blank', 'noopener,noreferrer');
        }
      }
    });
    app.commands.addCommand(CommandIDs.deployVersion, {
      label: trans.__('Deploy Model Version…'),
      caption: trans.__(
        'Deploy the version open in the Models sidebar (or type a model URI)'
      ),
      isEnabled: () => model.status?.mlflow === 'ok',
      execute: () => {
        labShell.activateById(sidebar.id);
        model.requestDeploy();
      }
    });
    for (const command of Object.values(CommandIDs)) {
      palette?.addItem({ command, category });
    }
    // "Open MLflow UI" and "Deploy" follow the group's status
    model.stateChanged.connect(() => app.commands.notifyCommandChanged());
    return model;
  }
};

export default plugin;
