import * as React from 'react';

/** Props every form control gets from its `Field`: its id and how it is described. */
export interface IFieldControl {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

/**
 * A labelled form field with the server's message for it (a field error) shown beneath,
 * linked to the control for screen readers.
 */
export function Field(props: {
  name: string;
  label: string;
  error?: string | null;
  children: (control: IFieldControl) => React.ReactNode;
}): JSX.Element {
  const { name, label, error } = props;
  const id = `jp-PrimeHubModels-field-${name}`;
  const errorId = `jp-PrimeHubModels-error-${name}`;
  return (
    <label htmlFor={id}>
      <span>{label}</span>
      {props.children({
        id,
        'aria-invalid': Boolean(error),
        'aria-describedby': error ? errorId : undefined
      })}
      {error && (
        <div className="jp-PrimeHubModels-fieldError" role="alert" id={errorId}>
          {error}
        </div>
      )}
    </label>
  );
}
