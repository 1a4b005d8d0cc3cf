import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { ModelsSidebar, ModelsSidebarModel } from './components/ModelsPanel';
import { modelsIcon } from './icons';
import {
  CommandIDs,
  DEFAULT_SETTINGS,
  ISidebarSettings,
  PLUGIN_ID
} from './tokens';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    "Browse the group's MLflow Model Registry and deploy model versions.",
  autoStart: true,
  requires: [ILabShell],
  optional: [ITranslator, ISettingRegistry, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    labShell: ILabShell,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const trans = (translator ?? nullTranslator).load(
      'jupyter_primehub_models'
    );
    const model = new ModelsSidebarModel();
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
          const apply = () => {
            model.settings = {
              ...DEFAULT_SETTINGS,
              ...(settings.composite as unknown as Partial<ISidebarSettings>)
            };
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason =>
          console.error('PrimeHub Models: cannot load settings', reason)
        );
    }

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
    for (const command of Object.values(CommandIDs)) {
      palette?.addItem({ command, category });
    }
  }
};

export default plugin;
