import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IStatus } from '../api';

export interface IStatusBannerProps {
  status: IStatus | null;
  checking: boolean;
  error: string | null;
  onRetry: () => void;
  trans: TranslationBundle;
}

/**
 * Whether the group's MLflow can be used: not configured (and how to fix it),
 * unreachable (the configured host, and Retry), or connected.
 */
export function StatusBanner(props: IStatusBannerProps): JSX.Element | null {
  const { status, checking, error, onRetry, trans } = props;
  if (checking && !status) {
    return (
      <div className="jp-PrimeHubModels-banner" role="status">
        {trans.__('Checking MLflow…')}
      </div>
    );
  }
  if (error) {
    return (
      <div
        className="jp-PrimeHubModels-banner jp-mod-error"
        role="alert"
        data-state="error"
      >
        <div className="jp-PrimeHubModels-bannerTitle">
          {trans.__('Cannot check MLflow')}
        </div>
        <div className="jp-PrimeHubModels-bannerText">{error}</div>
        <Button small onClick={onRetry} disabled={checking}>
          {trans.__('Retry')}
        </Button>
      </div>
    );
  }
  if (!status) {
    return null;
  }
  if (status.mlflow === 'not_configured') {
    return (
      <div
        className="jp-PrimeHubModels-banner jp-mod-warning"
        role="alert"
        data-state="not_configured"
      >
        <div className="jp-PrimeHubModels-bannerTitle">
          {trans.__('MLflow setting not configured')}
        </div>
        <div className="jp-PrimeHubModels-bannerText">{status.message}</div>
      </div>
    );
  }
  if (status.mlflow === 'unreachable') {
    return (
      <div
        className="jp-PrimeHubModels-banner jp-mod-error"
        role="alert"
        data-state="unreachable"
      >
        <div className="jp-PrimeHubModels-bannerTitle">
          {trans.__('MLflow not reachable')}
        </div>
        <div className="jp-PrimeHubModels-bannerText">{status.message}</div>
        <Button small onClick={onRetry} disabled={checking}>
          {checking ? trans.__('Retrying…') : trans.__('Retry')}
        </Button>
      </div>
    );
  }
  return (
    <div
      className="jp-PrimeHubModels-banner jp-mod-ok"
      role="status"
      data-state="ok"
    >
      {status.message}
    </div>
  );
}
