import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { editModel, getModel, IRegisteredModel, TagChanges } from '../api';
import { EditableDescription, EditableTags } from './RegistryEditors';
import { useRequest } from './useRequest';
import { ErrorLine } from './ViewParts';

/** A registered model's description and tags, edited in place (folded by default). */
export function ModelAbout(props: {
  group: string;
  model: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { group, model, trans } = props;
  const [open, setOpen] = React.useState(false);
  const loaded = useRequest(
    signal => (open ? getModel(group, model, signal) : Promise.resolve(null)),
    [group, model, open]
  );
  const [fresh, setFresh] = React.useState<IRegisteredModel | null>(null);
  React.useEffect(() => setFresh(null), [group, model]);
  const data = fresh ?? loaded.data;
  const edited = async (edit: { description?: string; tags?: TagChanges }) =>
    setFresh(await editModel(group, model, edit));
  return (
    <details
      className="jp-PrimeHubModels-section jp-PrimeHubModels-modelAbout"
      onToggle={e => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>{trans.__('About this model')}</summary>
      <ErrorLine error={loaded.error} />
      {data && (
        <>
          <EditableDescription
            value={data.description}
            onSave={description => edited({ description })}
            trans={trans}
          />
          <EditableTags
            title={trans.__('Model tags')}
            tags={data.tags}
            onSave={tags => edited({ tags })}
            trans={trans}
          />
        </>
      )}
    </details>
  );
}
