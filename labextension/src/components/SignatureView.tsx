import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ISchemaField, IVersionSignature } from '../api';
import { compactJson } from './time';

function FieldsTable(props: {
  title: string;
  fields: ISchemaField[];
  trans: TranslationBundle;
}): JSX.Element {
  const { title, fields, trans } = props;
  return (
    <table className="jp-PrimeHubModels-table" aria-label={title}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th>{trans.__('Name')}</th>
          <th>{trans.__('Type')}</th>
          <th>{trans.__('Required')}</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((f, i) => (
          <tr key={`${f.name ?? ''}#${i}`}>
            <td>{f.name ?? '—'}</td>
            <td>
              <code>{f.type}</code>
              {f.default ? ` = ${f.default}` : ''}
            </td>
            <td>{f.required ? trans.__('yes') : trans.__('no')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The model's input/output signature and its input example (from the MLmodel file). */
export function SignatureView(props: {
  signature: IVersionSignature | null;
  error: string | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { signature, error, trans } = props;
  let body: React.ReactNode;
  if (error) {
    body = <div className="jp-PrimeHubModels-empty">{error}</div>;
  } else if (!signature) {
    body = (
      <div className="jp-PrimeHubModels-empty">{trans.__('Loading…')}</div>
    );
  } else if (!signature.inputs && !signature.outputs) {
    body = (
      <div className="jp-PrimeHubModels-empty">
        {trans.__(
          'This model was logged without a signature. Pass input_example= or signature= to log_model to describe its inputs.'
        )}
      </div>
    );
  } else {
    body = (
      <>
        {signature.inputs && (
          <FieldsTable
            title={trans.__('Inputs')}
            fields={signature.inputs}
            trans={trans}
          />
        )}
        {signature.outputs && (
          <FieldsTable
            title={trans.__('Outputs')}
            fields={signature.outputs}
            trans={trans}
          />
        )}
        {signature.params && (
          <FieldsTable
            title={trans.__('Parameters')}
            fields={signature.params}
            trans={trans}
          />
        )}
      </>
    );
  }
  return (
    <section
      className="jp-PrimeHubModels-section"
      aria-label={trans.__('Signature')}
    >
      <h4>{trans.__('Signature')}</h4>
      {body}
      {signature?.flavors.length ? (
        <div className="jp-PrimeHubModels-note">
          {trans.__('Flavors: %1', signature.flavors.join(', '))}
        </div>
      ) : null}
      {signature?.input_example !== null &&
        signature?.input_example !== undefined && (
          <details className="jp-PrimeHubModels-example">
            <summary>
              {signature.input_example_source === 'saved'
                ? trans.__('Input example')
                : trans.__('Input example (built from the signature)')}
            </summary>
            <pre>{compactJson(signature.input_example)}</pre>
          </details>
        )}
    </section>
  );
}
