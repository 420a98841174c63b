/** Every read-model key lives under one configurable prefix (default `hearth:`). */
export const DEFAULT_PREFIX = 'hearth:';

/** The name of the subscription that feeds the read models (checkpoint `<prefix>ckpt:read-models`). */
export const DEFAULT_RUNNER_NAME = 'read-models';

export const checkpointKey = (prefix: string, runnerName: string): string => `${prefix}ckpt:${runnerName}`;

/** While this key exists a rebuild is being prepared: runners pause (see `requestRebuild`). */
export const rebuildMarkerKey = (prefix: string): string => `${prefix}rebuilding`;

/** Channel on which new and changed alerts are published as JSON. */
export const alertsChannel = (prefix: string): string => `${prefix}alerts`;

/** Escape glob metacharacters so a prefix can be used in SCAN MATCH. */
export const escapeGlob = (s: string): string => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** Stream `<category>-<id>` → category (`petition`) and id. */
export function splitStreamId(streamId: string): { category: string; id: string } {
  const i = streamId.indexOf('-');
  return i < 0 ? { category: streamId, id: '' } : { category: streamId.slice(0, i), id: streamId.slice(i + 1) };
}

export const toMs = (iso: string | undefined): number => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : 0;
};
