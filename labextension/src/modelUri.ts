/**
 * Model URIs as the server writes them: `models:/<name>/<version>` or
 * `models:/<name>@<alias>`. Deployments come with the parsed parts (model_name, version,
 * alias); this is for what the user types and for building a URI.
 */
export interface IModelUri {
  name: string;
  version: string | null;
  alias: string | null;
}

const PATTERN = /^models:\/([^/]+?)(?:\/([1-9][0-9]{0,9})|@([\w-]{1,255}))$/;

/** The parts of a model URI, or null when the text is not one. */
export function parseModelUri(text: string): IModelUri | null {
  const match = PATTERN.exec(text.trim());
  if (!match) {
    return null;
  }
  return { name: match[1], version: match[2] ?? null, alias: match[3] ?? null };
}

/** `models:/name/3` for a version, `models:/name@alias` for an alias. */
export function versionUri(name: string, version: string): string {
  return `models:/${name}/${version}`;
}

export function aliasUri(name: string, alias: string): string {
  return `models:/${name}@${alias}`;
}
