import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copySqliteLogToPostgres, PostgresEventStore, SqliteEventStore } from '@hearth/event-store';
import { copySqliteKeysToPostgres, PostgresKeyStore, SqliteKeyStore } from '@hearth/platform/pii';
import { TestPostgres } from '../support/postgres-server';
import { migrateCommand } from '../../apps/cli/src/migrate.command';
import { freshStream, newEvent } from './event-store.contract';

/** `hearth migrate --to postgres`: a SQLite log and key store copied into PostgreSQL, resumable, chains verified. */
let pg: TestPostgres;
let dir: string;

beforeAll(async () => {
  pg = await TestPostgres.start();
  dir = mkdtempSync(join(tmpdir(), 'hearth-migrate-'));
}, 120_000);

afterAll(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('moving from SQLite to PostgreSQL', () => {
  it('copies the log row for row, resumes after an interruption, verifies both chains against the SQLite head, then appends on', async () => {
    const file = join(dir, 'hearth.sqlite');
    const sqlite = new SqliteEventStore({ file });
    const streams = Array.from({ length: 7 }, () => freshStream('petition'));
    for (let i = 0; i < 60; i++) await sqlite.append(streams[i % 7], [newEvent(`E${i}`, { i, text: '调解 ok' }), newEvent(`F${i}`)], 'any');
    const original = await sqlite.readAll();
    const head = await sqlite.headHash();
    await sqlite.close();

    const url = await pg.createDatabase('migrated');
    // Interrupted after two pages of 25.
    const first = await copySqliteLogToPostgres(file, url, { pageSize: 25, maxPages: 2 });
    expect(first).toMatchObject({ resumedAt: 0, copied: 50, complete: false });
    const second = await copySqliteLogToPostgres(file, url, { pageSize: 25 });
    expect(second).toMatchObject({ resumedAt: 50, copied: 70, complete: true, sourceHead: head, report: { ok: true, checkedEvents: 120, checkedAgainstHead: true } });
    // A third run finds nothing to do.
    expect(await copySqliteLogToPostgres(file, url)).toMatchObject({ resumedAt: 120, copied: 0, complete: true, report: { ok: true } });

    const store = await PostgresEventStore.open({ connectionString: url });
    try {
      expect(await store.readAll()).toEqual(original);
      expect(await store.headHash()).toEqual(head);
      const r = await store.append(streams[0], [newEvent('after-move')], 'any');
      expect(r.position).toBe(121);
      expect(await store.verifyIntegrity({ expectedHead: head! })).toMatchObject({ ok: true, checkedEvents: 121 });
    } finally {
      await store.close();
    }

    // Another SQLite log cannot be poured into the same PostgreSQL log.
    const otherFile = join(dir, 'other.sqlite');
    const other = new SqliteEventStore({ file: otherFile });
    await other.append(freshStream(), [newEvent('x')], 'no_stream');
    await other.close();
    await expect(copySqliteLogToPostgres(otherFile, url)).rejects.toThrow(/refusing to mix two logs/);
  }, 60_000);

  it('copies the key store with the keys still wrapped, uses, blind indexes and erasures; a rerun is harmless', async () => {
    const keysFile = join(dir, 'keys.sqlite');
    const master = randomBytes(32);
    const keys = new SqliteKeyStore({ file: keysFile, masterKey: master });
    const kept = randomUUID();
    const erased = randomUUID();
    const k = (await keys.keysFor([{ subjectId: kept, kind: 'person' }], [{ subjectId: kept, kind: 'person', streamId: 'petition-1', blindIndexes: [{ scope: 'petitioner', value: 'h1' }] }])).get(kept)!;
    await keys.currentKey(erased, 'household');
    const erasure = await keys.erase(erased, () => ({ event: { subjectId: erased }, metadata: {}, erasedAt: new Date().toISOString() }));
    await keys.close();

    const url = await pg.createDatabase('migrated_keys');
    const copied = await copySqliteKeysToPostgres(keysFile, url, master);
    expect(copied).toEqual({ subjects: 2, keys: 1, streams: 1, blindIndexes: 1, erasures: 1 });
    expect(await copySqliteKeysToPostgres(keysFile, url, master)).toEqual(copied);
    await expect(copySqliteKeysToPostgres(keysFile, url, randomBytes(32))).rejects.toThrow(/master key/);

    const moved = await PostgresKeyStore.open({ connectionString: url, masterKey: master });
    try {
      expect(await moved.keyById(k.keyId)).toEqual(k);
      expect((await moved.currentKey(kept, 'person')).keyId).toBe(k.keyId);
      expect(await moved.hasBlindIndex('petitioner', 'h1')).toBe(true);
      expect((await moved.unloggedErasures()).map((e) => e.erasureId)).toEqual([erasure!.erasureId]);
      expect((await moved.subject(erased))?.keyIds).toEqual([]);
    } finally {
      await moved.close();
    }
  });

  it('hearth migrate --to postgres copies the configured log and key store and reports the verified head', async () => {
    const data = mkdtempSync(join(dir, 'data-'));
    const master = randomBytes(32);
    const log = new SqliteEventStore({ file: join(data, 'hearth.sqlite') });
    await log.append(freshStream(), [newEvent('A'), newEvent('B')], 'no_stream');
    const head = (await log.headHash())!;
    await log.close();
    const keys = new SqliteKeyStore({ file: join(data, 'keys.sqlite'), masterKey: master });
    await keys.currentKey(randomUUID(), 'person');
    await keys.close();

    const url = await pg.createDatabase('migrated_cli');
    const saved = { ...process.env };
    const lines: string[] = [];
    const log0 = console.log;
    const err0 = process.stderr.write;
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      Object.assign(process.env, { HEARTH_DATA_DIR: data, HEARTH_POSTGRES_URL: url, HEARTH_MASTER_KEY: master.toString('base64') });
      process.exitCode = undefined;
      await migrateCommand(['--to', 'postgres']);
      expect(process.exitCode).toBeUndefined();
    } finally {
      console.log = log0;
      process.stderr.write = err0;
      process.env = saved;
    }
    expect(lines.join('\n')).toContain(`OK: 2 events in 1 streams verified in PostgreSQL against the SQLite head ${head.position}:${head.logHash}`);
    expect(lines.join('\n')).toContain('keys: 1 data keys of 1 subjects');
  });
});
