import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresKeyStore, SqliteKeyStore } from '@hearth/platform/pii';
import { TestPostgres } from '../support/postgres-server';
import { runKeyStoreContract } from './key-store.contract';

// SQLite: a second instance is another process on the same file (the constructor throws on a wrong master key).
runKeyStoreContract('SqliteKeyStore', async (masterKey) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-keys-'));
  const file = join(dir, 'keys.sqlite');
  const keys = new SqliteKeyStore({ file, masterKey });
  return {
    keys,
    second: async (m = masterKey) => new SqliteKeyStore({ file, masterKey: m }),
    cleanup: async () => {
      await keys.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// PostgreSQL: a second instance is another host on the same database; each test gets a fresh database.
let pg: TestPostgres;
let n = 0;
beforeAll(async () => {
  pg = await TestPostgres.start();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

runKeyStoreContract('PostgresKeyStore', async (masterKey) => {
  const url = await pg.createDatabase(`keys_${++n}`);
  const keys = await PostgresKeyStore.open({ connectionString: url, masterKey });
  return {
    keys,
    second: async (m = masterKey) => new PostgresKeyStore({ connectionString: url, masterKey: m }),
    cleanup: () => keys.close(),
  };
});
