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

interface IBannerProps {
  state: string;
  tone: 'ok' | 'warning' | 'error';
  title?: string;
  text: string;
  detail?: string;
  retry?: { label: string; disabled: boolean; onClick: () => void };
}

/** One banner: a title, what happened, and optionally a Retry button. */
function Banner(props: IBannerProps): JSX.Element {
  const { state, tone, title, text, retry } = props;
  return (
    <div
      className={`jp-PrimeHubModels-banner jp-mod-${tone}`}
      role={tone === 'ok' ? 'status' : 'alert'}
      data-state={state}
    >
      {title && <div className="jp-PrimeHubModels-bannerTitle">{title}</div>}
      <div className="jp-PrimeHubModels-bannerText">{text}</div>
      {props.detail && props.detail !== text && (
        <div className="jp-PrimeHubModels-note">{props.detail}</div>
      )}
      {retry && (
        <Button small onClick={retry.onClick} disabled={retry.disabled}>
          {retry.label}
        </Button>
      )}
    </div>
  );
}

/**
 * Whether the group's MLflow can be used: not configured (and how to fix it),
 * unreachable (the configured host, and Retry), or connected.
 */
export function StatusBanner(props: IStatusBannerProps): JSX.Element | null {
  const { status, checking, error, onRetry, trans } = props;
  const retry = {
    label: checking ? trans.__('Retrying…') : trans.__('Retry'),
    disabled: checking,
    onClick: onRetry
  };
  if (checking && !status) {
    return (
      <div className="jp-PrimeHubModels-banner" role="status">
        {trans.__('Checking MLflow…')}
      </div>
    );
  }
  if (error) {
    return (
      <Banner
        state="error"
        tone="error"
        title={trans.__('Cannot check MLflow')}
        text={error}
        retry={retry}
      />
    );
  }
  if (!status) {
    return null;
  }
  switch (status.mlflow) {
    case 'not_configured':
      return (
        <Banner
          state="not_configured"
          tone="warning"
          title={trans.__('MLflow setting not configured')}
          text={trans.__(
            "Ask your administrator to bind this group to an MLflow server: a tracking URI in the group's settings (c.PrimeHubModels.groups or groups_file, key tracking_uri; or MLFLOW_TRACKING_URI)."
          )}
          detail={status.message}
        />
      );
    case 'unreachable':
      return (
        <Banner
          state="unreachable"
          tone="error"
          title={trans.__('MLflow not reachable')}
          text={trans.__(
            'The MLflow server at %1 is not running or cannot be reached. Check the tracking URI in the group settings, then retry.',
            status.host ?? '?'
          )}
          detail={status.message}
          retry={retry}
        />
      );
    default:
      return (
        <Banner
          state="ok"
          tone="ok"
          text={trans.__('Connected to MLflow at %1', status.host ?? '?')}
        />
      );
  }
}
