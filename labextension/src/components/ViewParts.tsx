import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

/** The top of a drill-down view: a back button and the view's title. */
export function ViewHeader(props: {
  back: string;
  backTitle: string;
  onBack: () => void;
  title: string;
  hover?: string;
}): JSX.Element {
  return (
    <div className="jp-PrimeHubModels-viewHeader">
      <Button small minimal onClick={props.onBack} title={props.backTitle}>
        {props.back}
      </Button>
      <h3
        className="jp-PrimeHubModels-viewTitle"
        title={props.hover ?? props.title}
      >
        {props.title}
      </h3>
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
