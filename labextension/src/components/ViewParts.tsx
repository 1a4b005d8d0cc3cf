import { Clipboard } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button, InputGroup, launchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { Phase } from '../api';

/** The top of a drill-down view: a back button (in the sidebar) and the view's title. */
export function ViewHeader(props: {
  back: string;
  backTitle: string;
  onBack?: () => void;
  title: string;
  hover?: string;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-PrimeHubModels-viewHeader">
      {props.onBack && (
        <Button small minimal onClick={props.onBack} title={props.backTitle}>
          {props.back}
        </Button>
      )}
      <h3
        className="jp-PrimeHubModels-viewTitle"
        title={props.hover ?? props.title}
      >
        {props.title}
      </h3>
      {props.children}
    </div>
  );
}

/** A request's error, in place. */
export function ErrorLine(props: { error: string | null }): JSX.Element | null {
  return props.error ? (
    <div className="jp-PrimeHubModels-banner jp-mod-error" role="alert">
      {props.error}
    </div>
  ) : null;
}

/** A deployment's phase as a coloured chip (colour and text: never colour alone). */
export function PhaseChip(props: {
  phase: Phase;
  trans: TranslationBundle;
}): JSX.Element {
  const { phase, trans } = props;
  const labels: Record<Phase, string> = {
    Deploying: trans.__('Deploying'),
    Deployed: trans.__('Deployed'),
    Failed: trans.__('Failed'),
    Stopping: trans.__('Stopping'),
    Stopped: trans.__('Stopped')
  };
  return (
    <span className="jp-PrimeHubModels-phase" data-phase={phase} role="status">
      {labels[phase] ?? phase}
    </span>
  );
}

export function CopyButton(props: {
  text: string;
  title: string;
  trans: TranslationBundle;
}): JSX.Element {
  const [copied, setCopied] = React.useState(false);
  return (
    <Button
      small
      minimal
      title={props.title}
      onClick={() => {
        Clipboard.copyToSystem(props.text);
        setCopied(true);
        window.setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? props.trans.__('Copied') : props.trans.__('Copy')}
    </Button>
  );
}

/** Rows above which a key/value table gets a filter box. */
const SEARCHABLE_FROM = 8;

/** A titled key/value table (parameters, metrics, tags), searchable when long. */
export function KeyValues(props: {
  title: string;
  values: Record<string, string | number | null>;
  empty: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { title, values, empty, trans } = props;
  const [filter, setFilter] = React.useState('');
  const all = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  const needle = filter.trim().toLowerCase();
  const entries = needle
    ? all.filter(
        ([k, v]) =>
          k.toLowerCase().includes(needle) ||
          String(v).toLowerCase().includes(needle)
      )
    : all;
  return (
    <section className="jp-PrimeHubModels-section" aria-label={title}>
      <h4>
        {title}
        {all.length > 0 && (
          <span className="jp-PrimeHubModels-count"> ({all.length})</span>
        )}
      </h4>
      {all.length >= SEARCHABLE_FROM && (
        <InputGroup
          type="search"
          placeholder={trans.__('Filter %1', title)}
          aria-label={trans.__('Filter %1', title)}
          value={filter}
          onChange={event => setFilter(event.currentTarget.value)}
        />
      )}
      {all.length === 0 ? (
        <div className="jp-PrimeHubModels-empty">{empty}</div>
      ) : (
        <table className="jp-PrimeHubModels-table jp-mod-keyValues">
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>{value === null ? '—' : String(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** "Open in a tab": the sidebar's view as a main-area tab, where it has room. */
export function OpenTabButton(props: {
  onOpen?: () => void;
  trans: TranslationBundle;
}): JSX.Element | null {
  return props.onOpen ? (
    <Button
      small
      minimal
      className="jp-PrimeHubModels-openTab"
      title={props.trans.__('Open in a main-area tab')}
      aria-label={props.trans.__('Open in a tab')}
      onClick={props.onOpen}
    >
      <launchIcon.react tag="span" elementSize="small" />
    </Button>
  ) : null;
}
