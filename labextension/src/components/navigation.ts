/** Where the Models panel is: which tab, and how deep into it (pure, no React). */

export type View =
  | { kind: 'models' }
  | { kind: 'versions'; model: string }
  | { kind: 'version'; model: string; version: string }
  | { kind: 'compare'; model: string; versions: string[] }
  | { kind: 'deployments' }
  | { kind: 'deployment'; id: string; from?: View };

export type Tab = 'models' | 'deployments';

export const TABS: readonly Tab[] = ['models', 'deployments'];

export function tabOf(view: View): Tab {
  return view.kind === 'deployments' || view.kind === 'deployment'
    ? 'deployments'
    : 'models';
}

/** Where "back" leads from a deployment's detail: where it was opened from, else the list. */
export function backFromDeployment(view: View & { kind: 'deployment' }): View {
  return view.from && view.from.kind !== 'deployment'
    ? view.from
    : { kind: 'deployments' };
}
