/**
 * The Models page's main-area views: what one shows (a model's versions, a version, a
 * comparison, a deployment, a notebook's models), its tab's id, and its deep link
 * (`/lab?primehub-models=<group>/models/<model>/<version>`). Pure: no Lab, no React.
 */

export type IPageArgs =
  | { page: 'model'; group: string; model: string }
  | { page: 'version'; group: string; model: string; version: string }
  | { page: 'compare'; group: string; model: string; versions: string[] }
  | { page: 'deployment'; group: string; id: string }
  | { page: 'notebook'; group: string; path: string };

/** The query parameter of a deep link. */
export const LINK_PARAM = 'primehub-models';

const VERSION = /^[1-9][0-9]{0,9}$/;

function segments(args: IPageArgs): string[] {
  switch (args.page) {
    case 'model':
      return [args.group, 'models', args.model];
    case 'version':
      return [args.group, 'models', args.model, args.version];
    case 'compare':
      return [
        args.group,
        'models',
        args.model,
        'compare',
        args.versions.join(',')
      ];
    case 'deployment':
      return [args.group, 'deployments', args.id];
    case 'notebook':
      return [args.group, 'notebooks', args.path];
  }
}

/** One tab per thing: the same view asked for again is the same id. */
export function pageId(args: IPageArgs): string {
  return `primehub-models-page:${segments(args).map(encodeURIComponent).join('/')}`;
}

/** The deep link's value: each part percent-encoded, joined by `/`. */
export function linkValue(args: IPageArgs): string {
  return segments(args).map(encodeURIComponent).join('/');
}

/** A full deep link to ``args`` under the Lab at ``labUrl`` (e.g. `https://hub/user/a/lab`). */
export function pageLink(labUrl: string, args: IPageArgs): string {
  const base = labUrl.replace(/\/+$/, '');
  return `${base}?${LINK_PARAM}=${encodeURIComponent(linkValue(args))}`;
}

/** The page a deep link's value names, or null when it names none. */
export function parseLinkValue(value: string): IPageArgs | null {
  let parts: string[];
  try {
    parts = value.split('/').map(decodeURIComponent);
  } catch {
    return null;
  }
  const [group, kind, ...rest] = parts;
  if (!group || !kind) {
    return null;
  }
  if (kind === 'deployments' && rest.length === 1 && rest[0]) {
    return { page: 'deployment', group, id: rest[0] };
  }
  if (kind === 'notebooks' && rest.length === 1 && rest[0]) {
    return { page: 'notebook', group, path: rest[0] };
  }
  if (kind !== 'models' || !rest[0]) {
    return null;
  }
  const [model, ...more] = rest;
  if (more.length === 0) {
    return { page: 'model', group, model };
  }
  if (more.length === 1 && VERSION.test(more[0])) {
    return { page: 'version', group, model, version: more[0] };
  }
  if (more.length === 2 && more[0] === 'compare') {
    const versions = more[1].split(',').filter(v => VERSION.test(v));
    return versions.length >= 2
      ? { page: 'compare', group, model, versions }
      : null;
  }
  return null;
}

/** The page a URL's query names (`?primehub-models=…`), or null. */
export function pageOfSearch(search: string): IPageArgs | null {
  const value = new URLSearchParams(search).get(LINK_PARAM);
  return value ? parseLinkValue(value) : null;
}

/** The URL's query without the deep link (what the address bar keeps once it is open). */
export function searchWithoutLink(search: string): string {
  const params = new URLSearchParams(search);
  params.delete(LINK_PARAM);
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}

/** Whether ``value`` is one page's arguments (what a restored layout hands back). */
export function isPageArgs(value: unknown): value is IPageArgs {
  if (!value || typeof value !== 'object') {
    return false;
  }
  const v = value as Record<string, unknown>;
  if (typeof v.group !== 'string' || !v.group) {
    return false;
  }
  switch (v.page) {
    case 'model':
      return typeof v.model === 'string';
    case 'version':
      return typeof v.model === 'string' && typeof v.version === 'string';
    case 'compare':
      return (
        typeof v.model === 'string' &&
        Array.isArray(v.versions) &&
        v.versions.every(x => typeof x === 'string')
      );
    case 'deployment':
      return typeof v.id === 'string';
    case 'notebook':
      return typeof v.path === 'string';
    default:
      return false;
  }
}
