import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { RecordedEvent } from '@hearth/event-store/event-store.port';
import type { Projection, ProjectionBatch } from '../projection';
import { DEFAULT_PREFIX, splitStreamId } from '../keys';
import { GenerationKeys, PrefixSource } from '../generations';

/**
 * Repeat-petition index (信访工作条例 art. 19, 36): which case a petitioner's petition on a subject belongs to, while
 * that case is open or after 复核 closed it. Keys (under the prefix), inside the petition namespace so they are purged
 * and rebuilt with it:
 *   pet:rep:<petitionerKey>:<subjectKey>   string  petition id
 *   pet:rep:case:<petitionId>              string  JSON { s: subjectKey, k: petitioner keys } (to clean up on closure)
 * `petitionerKey` is the blind index (keyed HMAC) of an ID number, computed at the edge; `subjectKey` a hash of the
 * normalised subject. Neither is personal data in the clear. A `SubjectErased` event (crypto-shredding) names the
 * erased person's petitioner keys: their entries are dropped, so a later petition by that person links to nothing.
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
        (e.streamId.startsWith('petition-') &&
          ((e.type === 'PetitionRegistered' && hasKeys(e)) || (e.type === 'RepeatPetitionReceived' && hasKeys(e)) || e.type === 'PetitionClosed')) ||
        erasedKeysOf(e).length > 0,
    );
    if (!events.length) return;
    const k = keysOf(batch.prefix);
    // Crypto-shredding (SubjectErased): every entry of an erased petitioner's keys goes, whichever case it points at.
    const erased = await entriesOf(batch.redis, batch.prefix, events.flatMap(erasedKeysOf));
    const ids = [...new Set([...events.filter((e) => e.type !== 'SubjectErased').map((e) => splitStreamId(e.streamId).id), ...erased.values()])];
    const loaded = ids.length ? await batch.redis.mget(...ids.map((id) => k.byCase(id))) : [];
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
    const owners = new Map<string, string | null>(erased);
    if (candidates.length) (await batch.redis.mget(...candidates)).forEach((v, i) => owners.set(candidates[i], v));

    const tx = batch.tx;
    for (const e of events) {
      if (e.type === 'SubjectErased') {
        for (const pk of erasedKeysOf(e)) {
          const start = `${batch.prefix}pet:rep:${pk}:`;
          for (const [key, owner] of owners) {
            if (!owner || !key.startsWith(start)) continue;
            tx.del(key);
            owners.set(key, null);
            const c = cases.get(owner);
            if (!c?.k.includes(pk)) continue;
            const entry = { ...c, k: c.k.filter((x) => x !== pk) };
            cases.set(owner, entry);
            tx.set(k.byCase(owner), JSON.stringify(entry));
          }
        }
        continue;
      }
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

/** Petitioner blind-index values a SubjectErased event (apps/api/src/privacy) removes from the index. */
function erasedKeysOf(e: RecordedEvent): string[] {
  if (e.type !== 'SubjectErased') return [];
  const b = (e.data as { blindIndexes?: unknown }).blindIndexes;
  if (!Array.isArray(b)) return [];
  return b.filter((x): x is { scope: string; value: string } => x?.scope === 'petitioner' && typeof x.value === 'string').map((x) => x.value);
}

/** Entry key → petition id, for every stored entry of these petitioner keys (SCAN: erasures are rare). */
async function entriesOf(redis: Redis, prefix: string, petitionerKeys: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const glob = (x: string) => x.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
  for (const pk of new Set(petitionerKeys)) {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${glob(prefix)}pet:rep:${glob(pk)}:*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    if (found.length) (await redis.mget(...found)).forEach((v, i) => v && out.set(found[i], v));
  }
  return out;
}

function hasKeys(e: RecordedEvent): boolean {
  const keys = (e.data as { petitionerKeys?: unknown }).petitionerKeys;
  return Array.isArray(keys) && keys.length > 0;
}

/** Reads of the repeat index (active generation). */
export class RepeatPetitionQueries {
  private readonly keys: GenerationKeys<ReturnType<typeof keysOf>>;
  /** Base prefix (without generation). */
  readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    source: PrefixSource = DEFAULT_PREFIX,
  ) {
    this.keys = new GenerationKeys(redis, source, keysOf);
    this.prefix = this.keys.active.basePrefix;
  }

  /** The open (or rechecked) case of any of these petitioners on this subject, if there is one. */
  async find(petitionerKeys: readonly string[], subject: string): Promise<string | undefined> {
    if (!petitionerKeys.length) return undefined;
    const k = await this.keys.get();
    const s = subjectKey(subject);
    const found = await this.redis.mget(...petitionerKeys.map((pk) => k.entry(pk, s)));
    return found.find((v): v is string => !!v);
  }
}
