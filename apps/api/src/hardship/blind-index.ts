import type { EventStore } from '@hearth/event-store';
import { BLIND_INDEX_SCOPES, hardshipFileIdFor, KeyStore } from '@hearth/platform';

export { hardshipFileIdFor, normaliseIdNumber } from '@hearth/platform';

/**
 * The hardship file of a household by the head's ID number (一户一档). The file id is a keyed hash of the number
 * (`hardshipFileIdFor`); the key store holds it as a blind-index entry of the head's subject until that subject is
 * erased. So, generation by generation:
 * - an id with an index entry is the household's live file (`live`);
 * - an id whose stream exists without an entry is a file whose personal data was erased: never found again by the
 *   number, skipped;
 * - the first id with neither is where a new application goes (`live: false`).
 */
export async function resolveHardshipFile(
  idNumber: string,
  blindIndexKey: string,
  keys: KeyStore,
  store: EventStore,
): Promise<{ id: string; live: boolean }> {
  for (let generation = 0; ; generation++) {
    const id = hardshipFileIdFor(idNumber, blindIndexKey, generation);
    if (await keys.hasBlindIndex(BLIND_INDEX_SCOPES.hardshipFile, id)) return { id, live: true };
    if ((await store.readStream(`hardship-${id}`, { maxCount: 1 })).length === 0) return { id, live: false };
  }
}
