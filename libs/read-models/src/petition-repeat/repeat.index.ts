import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { RecordedEvent } from '@hearth/event-store/event-store.port';
import type { Projection, ProjectionBatch } from '../projection';
import { DEFAULT_PREFIX, splitStreamId } from '../keys';

/**
 * Repeat-petition index (信访工作条例 art. 19, 36): which case a petitioner's petition on a subject belongs to, while
 * that case is open or after 复核 closed it. Keys (under the prefix), inside the petition namespace so they are purged
 * and rebuilt with it:
 *   pet:rep:<petitionerKey>:<subjectKey>   string  petition id
 *   pet:rep:case:<petitionId>              string  JSON { s: subjectKey, k: petitioner keys } (to clean up on closure)
 * `petitionerKey` is the blind index (keyed HMAC) of an ID number, computed at the edge; `subjectKey` a hash of the
 * normalised subject. Neither is personal data in the clear.
 */
export const REPEAT_NAMESPACE = 'pet:rep:';

/** Same subject = same text after Unicode normalisation, trimming, collapsing white space and lower-casing. */
export function subjectKey(subject: string): string {
  const normal = subject.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  return createHash('sha256').update(normal).digest('hex').slice(0, 32);
}

const keysOf = (prefix: string) => ({
  entry: (petitionerKey: string, subject: string) => `${prefix}pet:rep:${petitionerKey}:${subject}`,
  byCase: (petitionId: string) => `${prefix}pet:rep:case:${petitionId}`,
});

interface CaseEntry {
  s: string;
  k: string[];
}

export class RepeatPetitionProjection implements Projection {
  readonly name = 'petition-repeats';
  readonly namespaces = [REPEAT_NAMESPACE];

  async apply(batch: ProjectionBatch): Promise<void> {
    const events = batch.events.filter(
      (e) =>
        e.streamId.startsWith('petition-') &&
        ((e.type === 'PetitionRegistered' && hasKeys(e)) || (e.type === 'RepeatPetitionReceived' && hasKeys(e)) || e.type === 'PetitionClosed'),
    );
    if (!events.length) return;
    const k = keysOf(batch.prefix);
    const ids = [...new Set(events.map((e) => splitStreamId(e.streamId).id))];
    const loaded = await batch.redis.mget(...ids.map((id) => k.byCase(id)));
    const cases = new Map<string, CaseEntry | undefined>(ids.map((id, i) => [id, loaded[i] ? (JSON.parse(loaded[i]!) as CaseEntry) : undefined]));
    // Entries a closure may delete: only if they still point at the closing case (a newer case may own them now).
    const closing = events.filter((e) => e.type === 'PetitionClosed' && (e.data as { reason?: string }).reason !== 'rechecked');
    const candidates = [
      ...new Set(
        closing.flatMap((e) => {
          const c = cases.get(splitStreamId(e.streamId).id);
          return c ? c.k.map((pk) => k.entry(pk, c.s)) : [];
        }),
      ),
    ];
    const owners = new Map<string, string | null>();
    if (candidates.length) (await batch.redis.mget(...candidates)).forEach((v, i) => owners.set(candidates[i], v));

    const tx = batch.tx;
    for (const e of events) {
      const id = splitStreamId(e.streamId).id;
      if (e.type === 'PetitionRegistered') {
        const d = e.data as { subject: string; petitionerKeys: string[] };
        const entry: CaseEntry = { s: subjectKey(d.subject), k: [...new Set(d.petitionerKeys)] };
        cases.set(id, entry);
        for (const pk of entry.k) {
          tx.set(k.entry(pk, entry.s), id);
          owners.set(k.entry(pk, entry.s), id);
        }
        tx.set(k.byCase(id), JSON.stringify(entry));
      } else if (e.type === 'RepeatPetitionReceived') {
        const c = cases.get(id);
        if (!c) continue;
        const added = (e.data as { petitionerKeys: string[] }).petitionerKeys.filter((pk) => !c.k.includes(pk));
        if (!added.length) continue;
        const entry = { ...c, k: [...c.k, ...added] };
        cases.set(id, entry);
        for (const pk of added) {
          tx.set(k.entry(pk, entry.s), id);
          owners.set(k.entry(pk, entry.s), id);
        }
        tx.set(k.byCase(id), JSON.stringify(entry));
      } else if ((e.data as { reason?: string }).reason !== 'rechecked') {
        // Closed other than by 复核: the same petitioner may petition anew on the subject.
        const c = cases.get(id);
        if (!c) continue;
        for (const pk of c.k) {
          const key = k.entry(pk, c.s);
          if (owners.get(key) === id) {
            tx.del(key);
            owners.set(key, null);
          }
        }
        tx.del(k.byCase(id));
        cases.set(id, undefined);
      }
    }
  }
}

function hasKeys(e: RecordedEvent): boolean {
  const keys = (e.data as { petitionerKeys?: unknown }).petitionerKeys;
  return Array.isArray(keys) && keys.length > 0;
}

export class RepeatPetitionQueries {
  constructor(
    private readonly redis: Redis,
    readonly prefix = DEFAULT_PREFIX,
  ) {}

  /** The open (or rechecked) case of any of these petitioners on this subject, if there is one. */
  async find(petitionerKeys: readonly string[], subject: string): Promise<string | undefined> {
    if (!petitionerKeys.length) return undefined;
    const k = keysOf(this.prefix);
    const s = subjectKey(subject);
    const found = await this.redis.mget(...petitionerKeys.map((pk) => k.entry(pk, s)));
    return found.find((v): v is string => !!v);
  }
}
