/**
 * The key-store contract: one behavioural suite every KeyStore adapter passes (SQLite file, PostgreSQL). `second()`
 * opens another instance on the same storage: another process on the same file, or another host on the same database.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { KeyStore, SubjectUse } from '@hearth/platform/pii';

export interface KeyStoreSubject {
  keys: KeyStore;
  /** Another instance over the same storage, with the same master key (or `masterKey`). */
  second(masterKey?: Buffer): Promise<KeyStore>;
  cleanup(): Promise<void>;
}

export type KeyStoreFactory = (masterKey: Buffer) => Promise<KeyStoreSubject>;

const use = (subjectId: string, streamId: string, values: string[] = []): SubjectUse => ({
  subjectId,
  kind: 'person',
  streamId,
  blindIndexes: values.map((value) => ({ scope: 'petitioner', value })),
});

const erasedBy = (subjectId: string) => () => ({ event: { subjectId, reason: 'request' }, metadata: { actorId: 'auditor' }, erasedAt: new Date().toISOString() });

export function runKeyStoreContract(name: string, factory: KeyStoreFactory): void {
  describe(`${name}: key store contract`, () => {
    let subject: KeyStoreSubject;
    let keys: KeyStore;
    let master: Buffer;
    const opened: KeyStore[] = [];
    const second = async (m?: Buffer): Promise<KeyStore> => {
      const k = await subject.second(m);
      opened.push(k);
      return k;
    };

    beforeEach(async () => {
      master = randomBytes(32);
      subject = await factory(master);
      keys = subject.keys;
    });

    afterEach(async () => {
      for (const k of opened.splice(0)) await k.close();
      await subject?.cleanup();
    });

    it('a subject keeps one key until erased; two subjects never share one; keyById finds it', async () => {
      const a = randomUUID();
      const b = randomUUID();
      const ka = await keys.currentKey(a, 'person');
      expect(ka.key).toHaveLength(32);
      expect(await keys.currentKey(a, 'person')).toEqual(ka);
      const kb = await keys.currentKey(b, 'household');
      expect(kb.keyId).not.toBe(ka.keyId);
      expect(kb.key.equals(ka.key)).toBe(false);
      expect(await keys.keyById(ka.keyId)).toEqual(ka);
      expect(await keys.keyById(randomUUID())).toBeUndefined();
    });

    it('keysFor creates missing keys and registers uses together; uses and blind indexes are idempotent', async () => {
      const a = randomUUID();
      const s1 = `petition-${randomUUID()}`;
      const s2 = `petition-${randomUUID()}`;
      const got = await keys.keysFor([{ subjectId: a, kind: 'person' }], [use(a, s1, ['v1']), use(a, s1, ['v1'])]);
      expect(got.get(a)?.subjectId).toBe(a);
      await keys.registerUse([use(a, s2, ['v1', 'v2'])]);
      await keys.registerUse([use(a, s2, ['v1', 'v2'])]);
      expect(await keys.hasBlindIndex('petitioner', 'v2')).toBe(true);
      expect(await keys.hasBlindIndex('petitioner', 'nope')).toBe(false);
      const info = await keys.subject(a);
      expect(info).toMatchObject({ subjectId: a, kind: 'person', keyIds: [got.get(a)!.keyId], streams: [s1, s2].sort() });
      expect(info!.blindIndexes).toHaveLength(3);
      expect(await keys.subject(randomUUID())).toBeUndefined();
    });

    it('one subject asked for twice at once, by two instances, gets one key', async () => {
      const other = await second();
      const a = randomUUID();
      const [x, y, z] = await Promise.all([keys.currentKey(a, 'person'), other.currentKey(a, 'person'), keys.currentKey(a, 'person')]);
      expect(y.keyId).toBe(x.keyId);
      expect(z.keyId).toBe(x.keyId);
      expect(y.key.equals(x.key)).toBe(true);
    });

    it('erasure destroys every key and blind index, records the erasure once, and another instance stops serving the key', async () => {
      const other = await second();
      const a = randomUUID();
      const s = `hardship-${randomUUID()}`;
      const k = (await keys.keysFor([{ subjectId: a, kind: 'person' }], [use(a, s, ['id-hash'])])).get(a)!;
      // The other instance has the key cached.
      expect((await other.keyById(k.keyId))?.key.equals(k.key)).toBe(true);

      const record = await keys.erase(a, erasedBy(a));
      expect(record).toMatchObject({ subjectId: a, logged: false, event: { subjectId: a } });
      expect(await keys.erase(a, erasedBy(a))).toBeUndefined();

      expect(await keys.keyById(k.keyId)).toBeUndefined();
      expect(await other.keyById(k.keyId)).toBeUndefined();
      expect(await other.hasBlindIndex('petitioner', 'id-hash')).toBe(false);
      const info = await other.subject(a);
      expect(info).toMatchObject({ keyIds: [], blindIndexes: [], streams: [s] });
      expect(info!.erasures.map((e) => e.erasureId)).toEqual([record!.erasureId]);

      expect((await other.unloggedErasures()).map((e) => e.erasureId)).toContain(record!.erasureId);
      await other.markErasureLogged(record!.erasureId);
      expect((await keys.unloggedErasures()).map((e) => e.erasureId)).not.toContain(record!.erasureId);

      // A new use after erasure gets a new key; the old one stays gone.
      const fresh = await other.currentKey(a, 'person');
      expect(fresh.keyId).not.toBe(k.keyId);
      expect((await keys.currentKey(a, 'person')).keyId).toBe(fresh.keyId);
    });

    it('refuses a master key other than the one it was created with', async () => {
      await keys.currentKey(randomUUID(), 'case');
      await expect(second(randomBytes(32)).then((k) => k.currentKey(randomUUID(), 'case'))).rejects.toThrow(/not the master key/);
      const same = await second();
      expect((await same.currentKey(randomUUID(), 'case')).key).toHaveLength(32);
    });
  });
}
