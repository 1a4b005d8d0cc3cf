import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { messageOf, TagChanges } from '../api';

/** MLflow's rule for an alias name (and its reserved names). */
const ALIAS = /^[\w-]{1,255}$/;
const RESERVED = /^(latest|v\d+)$/i;

export function aliasProblem(
  alias: string,
  trans: TranslationBundle
): string | null {
  if (!ALIAS.test(alias)) {
    return trans.__('Letters, digits, _ and - only (1 to 255).');
  }
  if (RESERVED.test(alias)) {
    return trans.__('%1 is reserved by MLflow.', alias);
  }
  return null;
}

/** Runs one write; its error stays beside the editor that made it. */
function useWrite(): {
  busy: boolean;
  error: string | null;
  run: (work: () => Promise<unknown>) => Promise<boolean>;
} {
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (reason) {
      setError(messageOf(reason));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function WriteError(props: { error: string | null }): JSX.Element | null {
  return props.error ? (
    <div className="jp-PrimeHubModels-note jp-mod-error" role="alert">
      {props.error}
    </div>
  ) : null;
}

/** A version's aliases as chips: remove one, or add (or move here) another. */
export function AliasChips(props: {
  aliases: readonly string[];
  onSet: (alias: string) => Promise<unknown>;
  onDelete: (alias: string) => Promise<unknown>;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const [draft, setDraft] = React.useState('');
  const write = useWrite();
  const problem = draft ? aliasProblem(draft.trim(), trans) : null;
  const add = async () => {
    const alias = draft.trim();
    if (alias && !problem && (await write.run(() => props.onSet(alias)))) {
      setDraft('');
    }
  };
  return (
    <div className="jp-PrimeHubModels-aliasEditor">
      {props.aliases.map(alias => (
        <span key={alias} className="jp-PrimeHubModels-chip" data-alias={alias}>
          @{alias}
          <button
            className="jp-PrimeHubModels-chipRemove"
            aria-label={trans.__('Remove alias %1', alias)}
            title={trans.__('Remove alias %1', alias)}
            disabled={write.busy}
            onClick={() => void write.run(() => props.onDelete(alias))}
          >
            ✕
          </button>
        </span>
      ))}
      <input
        className="jp-mod-styled jp-PrimeHubModels-aliasInput"
        aria-label={trans.__('New alias')}
        placeholder={trans.__('+ alias')}
        value={draft}
        disabled={write.busy}
        onChange={e => setDraft(e.target.value)}
        onKeyDown={e => {
          if (e.key === 'Enter') {
            void add();
          }
        }}
      />
      {draft && (
        <Button
          small
          disabled={write.busy || problem !== null}
          title={trans.__(
            'Point the alias here (moved, if another version has it)'
          )}
          onClick={() => void add()}
        >
          {trans.__('Set alias')}
        </Button>
      )}
      <WriteError error={problem ?? write.error} />
    </div>
  );
}

/** A description, edited in place. */
export function EditableDescription(props: {
  value: string;
  onSave: (value: string) => Promise<unknown>;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const [draft, setDraft] = React.useState<string | null>(null);
  const write = useWrite();
  if (draft === null) {
    return (
      <div className="jp-PrimeHubModels-editable">
        <span className="jp-PrimeHubModels-description">
          {props.value || '—'}
        </span>{' '}
        <Button
          small
          minimal
          title={trans.__('Edit the description')}
          onClick={() => setDraft(props.value)}
        >
          {trans.__('Edit')}
        </Button>
      </div>
    );
  }
  return (
    <div className="jp-PrimeHubModels-editable">
      <textarea
        className="jp-mod-styled"
        aria-label={trans.__('Description')}
        value={draft}
        rows={4}
        onChange={e => setDraft(e.target.value)}
      />
      <div className="jp-PrimeHubModels-toolbar">
        <Button
          small
          disabled={write.busy}
          onClick={async () => {
            if (await write.run(() => props.onSave(draft))) {
              setDraft(null);
            }
          }}
        >
          {trans.__('Save')}
        </Button>
        <Button small minimal onClick={() => setDraft(null)}>
          {trans.__('Cancel')}
        </Button>
      </div>
      <WriteError error={write.error} />
    </div>
  );
}

/** Tags as a table: change a value, remove a tag, add one. */
export function EditableTags(props: {
  title: string;
  tags: Record<string, string>;
  onSave: (changes: TagChanges) => Promise<unknown>;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const [key, setKey] = React.useState('');
  const [value, setValue] = React.useState('');
  const write = useWrite();
  const entries = Object.entries(props.tags).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  const add = async () => {
    if (
      key.trim() &&
      (await write.run(() => props.onSave({ [key.trim()]: value })))
    ) {
      setKey('');
      setValue('');
    }
  };
  return (
    <section className="jp-PrimeHubModels-section" aria-label={props.title}>
      <h4>{props.title}</h4>
      <table className="jp-PrimeHubModels-table jp-PrimeHubModels-kv">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k} data-tag={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
              <td>
                <button
                  className="jp-PrimeHubModels-chipRemove"
                  aria-label={trans.__('Remove tag %1', k)}
                  title={trans.__('Remove tag %1', k)}
                  disabled={write.busy}
                  onClick={() =>
                    void write.run(() => props.onSave({ [k]: null }))
                  }
                >
                  ✕
                </button>
              </td>
            </tr>
          ))}
          <tr>
            <td>
              <input
                className="jp-mod-styled"
                aria-label={trans.__('Tag key')}
                placeholder={trans.__('key')}
                value={key}
                onChange={e => setKey(e.target.value)}
              />
            </td>
            <td>
              <input
                className="jp-mod-styled"
                aria-label={trans.__('Tag value')}
                placeholder={trans.__('value')}
                value={value}
                onChange={e => setValue(e.target.value)}
                onKeyDown={e => {
                  if (e.key === 'Enter') {
                    void add();
                  }
                }}
              />
            </td>
            <td>
              <Button
                small
                disabled={write.busy || !key.trim()}
                title={trans.__(
                  'Set this tag (a key that exists gets the new value)'
                )}
                onClick={() => void add()}
              >
                {trans.__('Set')}
              </Button>
            </td>
          </tr>
        </tbody>
      </table>
      <WriteError error={write.error} />
    </section>
  );
}
