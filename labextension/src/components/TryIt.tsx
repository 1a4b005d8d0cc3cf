import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { getSignature, invoke, IScoringAnswer, messageOf } from '../api';
import { compactJson } from './time';

export interface ITryItProps {
  group: string;
  deploymentId: string;
  model: string | null;
  version: string | null;
  serving: boolean;
  trans: TranslationBundle;
}

function pretty(text: string): string {
  try {
    return compactJson(JSON.parse(text));
  } catch {
    return text;
  }
}

/**
 * "Try it": a JSON body prefilled from the served version's input example (or one built
 * from its signature), sent to the deployment's …/invocations; the answer below.
 */
export function TryIt(props: ITryItProps): JSX.Element {
  const { group, deploymentId, model, version, serving, trans } = props;
  const [body, setBody] = React.useState('');
  const [touched, setTouched] = React.useState(false);
  const [answer, setAnswer] = React.useState<IScoringAnswer | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [sending, setSending] = React.useState(false);

  React.useEffect(() => {
    if (!model || !version || touched) {
      return;
    }
    const abort = new AbortController();
    getSignature(group, model, version, abort.signal)
      .then(signature => {
        if (
          signature.input_example !== null &&
          signature.input_example !== undefined
        ) {
          setBody(compactJson(signature.input_example));
        } else {
          setBody(
            JSON.stringify(
              { dataframe_split: { columns: [], data: [[]] } },
              null,
              2
            )
          );
        }
      })
      .catch(() => undefined);
    return () => abort.abort();
  }, [group, model, version, touched]);

  let invalid: string | null = null;
  try {
    JSON.parse(body || 'null');
  } catch (e) {
    invalid = trans.__('Not valid JSON: %1', (e as Error).message);
  }

  const send = () => {
    setSending(true);
    setError(null);
    invoke(group, deploymentId, body)
      .then(setAnswer)
      .catch(reason => setError(messageOf(reason)))
      .finally(() => setSending(false));
  };

  return (
    <section
      className="jp-PrimeHubModels-section"
      aria-label={trans.__('Try it')}
    >
      <h4>{trans.__('Try it')}</h4>
      <textarea
        className="jp-mod-styled jp-PrimeHubModels-json"
        aria-label={trans.__('Request body (JSON)')}
        spellCheck={false}
        rows={Math.min(14, Math.max(4, body.split('\n').length))}
        value={body}
        onChange={event => {
          setTouched(true);
          setBody(event.currentTarget.value);
        }}
        onKeyDown={event => {
          if (
            event.key === 'Enter' &&
            (event.ctrlKey || event.metaKey) &&
            !invalid
          ) {
            send();
          }
        }}
      />
      {invalid && <div className="jp-PrimeHubModels-fieldError">{invalid}</div>}
      <div className="jp-PrimeHubModels-toolbar">
        <Button
          small
          disabled={!serving || sending || Boolean(invalid)}
          onClick={send}
          title={trans.__('Send to …/invocations (Ctrl+Enter)')}
        >
          {sending ? trans.__('Sending…') : trans.__('Send')}
        </Button>
        {!serving && (
          <span className="jp-PrimeHubModels-note">
            {trans.__('Available once the deployment is Deployed.')}
          </span>
        )}
      </div>
      {error && (
        <div className="jp-PrimeHubModels-banner jp-mod-error" role="alert">
          {error}
        </div>
      )}
      {answer && (
        <div className="jp-PrimeHubModels-answer" data-status={answer.status}>
          <div className="jp-PrimeHubModels-note">
            {trans.__('HTTP %1', answer.status)}
          </div>
          <pre aria-label={trans.__('Answer')}>{pretty(answer.body)}</pre>
        </div>
      )}
    </section>
  );
}
