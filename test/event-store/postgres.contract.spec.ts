import { PostgresEventStore } from '@hearth/event-store';
import { TestPostgres } from '../support/postgres-server';
import { postgresChildWriter } from './postgres-child-writer';
import { runEventStoreContract } from './event-store.contract';

/** One private cluster for the file; every contract test opens its own store instance on one shared database. */
let pg: TestPostgres;
let url: string;

beforeAll(async () => {
  pg = await TestPostgres.start();
  url = await pg.createDatabase('contract');
}, 120_000);

afterAll(async () => {
  await pg?.stop();
});

runEventStoreContract('PostgresEventStore', async () => {
  const store = await PostgresEventStore.open({ connectionString: url });
  return {
    store,
    cleanup: () => store.close(),
    externalWriter: (spec) => postgresChildWriter(url, spec),
  };
});
