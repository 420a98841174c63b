import { EsdbEventStore, EventStore, PostgresEventStore, SqliteEventStore } from '@hearth/event-store';
import type { HearthConfig } from '../config/hearth-config';
import { KeyStore, parseMasterKey, PostgresKeyStore, SqliteKeyStore } from '../pii';

/** The raw event log the configuration names (HEARTH_EVENT_STORE). PostgreSQL is migrated before the process starts. */
export async function eventStoreFor(c: HearthConfig): Promise<EventStore> {
  if (c.eventStore === 'esdb') return new EsdbEventStore({ connectionString: c.esdbConnectionString! });
  if (c.eventStore === 'postgres') return PostgresEventStore.open({ connectionString: c.postgresUrl! });
  return new SqliteEventStore({ file: c.sqliteFile, writerThread: c.sqliteWriterThread });
}

/**
 * The durable key store (HEARTH_KEY_STORE): on PostgreSQL every host shares the same keys and erasures. Opened before
 * the process starts, so a wrong master key stops it at once, as with SQLite.
 */
export async function keyStoreFor(c: HearthConfig): Promise<KeyStore> {
  const masterKey = parseMasterKey(c.masterKey);
  if (c.keyStore === 'postgres') return PostgresKeyStore.open({ connectionString: c.postgresUrl!, masterKey });
  return new SqliteKeyStore({ file: c.keysFile, masterKey, writerThread: c.keysWriterThread });
}
