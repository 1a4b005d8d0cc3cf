/** Traffic splits: a split in a few words, the editor's checks, a canary beside what
 * serves. Pure functions (the unit tests run them without Lab). */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ITrafficShare } from './api/types';
import { parseModelUri } from './modelUri';

/** The most entries a split may have (the API's limit). */
export const MAX_SHARES = 4;

/** One row of the split editor. */
export interface IShareDraft {
  model_uri: string;
  weight: number;
}

/** "v1 90 % · v2 10 %": a split in a few words. */
export function splitSummary(
  shares: readonly ITrafficShare[],
  trans: TranslationBundle
): string {
  return shares
    .map(s => {
      const uri = parseModelUri(s.model_uri);
      const label = uri?.alias
        ? `@${uri.alias}${s.version ? ` (v${s.version})` : ''}`
        : `v${s.version ?? uri?.version ?? '?'}`;
      return shares.length > 1 ? trans.__('%1 %2 %', label, s.weight) : label;
    })
    .join(' · ');
}

/** The rows' weights: their sum, and whether the split can be sent. */
export function checkDrafts(
  drafts: readonly IShareDraft[],
  trans: TranslationBundle
): string | null {
  if (drafts.length < 1 || drafts.length > MAX_SHARES) {
    return trans.__('A split has 1 to %1 model URIs.', MAX_SHARES);
  }
  const uris = drafts.map(d => d.model_uri.trim());
  if (uris.some(u => parseModelUri(u) === null)) {
    return trans.__('Each row needs models:/<name>/<version> or @<alias>.');
  }
  if (new Set(uris).size !== uris.length) {
    return trans.__('Each model URI at most once.');
  }
  const total = drafts.reduce((sum, d) => sum + d.weight, 0);
  if (total !== 100) {
    return trans.__('The weights sum to %1 %, not 100 %.', total);
  }
  return null;
}

/** The split that sends ``weight`` % to ``modelUri`` beside what serves now (whose
 * weights keep their proportions); the most entries a split may have is 4. */
export function withCanary(
  current: readonly IShareDraft[],
  modelUri: string,
  weight: number
): { model_uri: string; weight: number }[] {
  const others = current.filter(s => s.model_uri !== modelUri).slice(0, 3);
  const rest = 100 - weight;
  const total = others.reduce((sum, s) => sum + s.weight, 0) || 1;
  const scaled = others.map(s => ({
    model_uri: s.model_uri,
    weight: Math.floor((s.weight * rest) / total)
  }));
  const short = rest - scaled.reduce((sum, s) => sum + s.weight, 0);
  if (scaled.length) {
    scaled[0].weight += short; // rounding: the stable one gets what is left
  }
  return [...scaled, { model_uri: modelUri, weight }];
}
