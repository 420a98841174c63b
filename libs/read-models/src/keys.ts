/** Every read-model key lives under one configurable prefix (default `hearth:`). */
export const DEFAULT_PREFIX = 'hearth:';

/** The name of the subscription that feeds the read models (checkpoint `<prefix>ckpt:read-models`). */
export const DEFAULT_RUNNER_NAME = 'read-models';

export const checkpointKey = (prefix: string, runnerName: string): string => `${prefix}ckpt:${runnerName}`;

/** While this key exists a rebuild is being prepared: runners pause (see `requestRebuild`). */
export const rebuildMarkerKey = (prefix: string): string => `${prefix}rebuilding`;

/**
 * Read-model generations (zero-downtime rebuild). Generation 0 is the unversioned layout directly under the prefix
 * (`hearth:pet:…`), generation n ≥ 1 lives under `hearth:g<n>:` (`hearth:g3:pet:…`, checkpoint `hearth:g3:ckpt:…`).
 * The pointer names the generation queries read and the live runner feeds; absent means 0.
 */
export const activeGenerationKey = (prefix: string): string => `${prefix}rm:active`;
/** JSON `RebuildRequest` while a generation is being built next to the active one. */
export const rebuildRequestKey = (prefix: string): string => `${prefix}rm:rebuild`;
/** Sorted set: generations replaced by a switch (member), score = when; deleted after a grace period. */
export const retiredGenerationsKey = (prefix: string): string => `${prefix}rm:retired`;
/** Last generation number handed out (never reused while its keys may still exist). */
export const generationSeqKey = (prefix: string): string => `${prefix}rm:seq`;
/**
 * Highest log position whose live side effects (alerts published, webhooks handed over) are done, whatever the
 * generation: a runner replaying events up to it (after a switch, a drop, a retried batch) pushes nothing again.
 */
export const liveEffectsKey = (prefix: string): string => `${prefix}rm:effects`;
/** Set by the rebuild runner for the moment of the switch: the live runner holds still (expires on its own). */
export const switchHoldKey = (prefix: string): string => `${prefix}rm:hold`;

export const generationPrefix = (prefix: string, generation: number): string => (generation > 0 ? `${prefix}g${generation}:` : prefix);

/** The stored pointer → generation number (anything but a positive integer is generation 0). */
export function parseGeneration(raw: string | null | undefined): number {
  if (!raw || !/^[1-9]\d{0,8}$/.test(raw)) return 0;
  return Number(raw);
}

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
