export * from './event-store.port';
export * from './event-ids';
export { SqliteEventStore } from './sqlite/sqlite-event-store';
export { verifyLogFile, type FileVerification } from './sqlite/integrity';
export { EsdbEventStore } from './esdb/esdb-event-store';
export * from './upcasting';
export { startWriterWorker, WriterChannel } from './sqlite/writer-worker';
export { fromPlainError, toPlainError, type PlainError } from './sqlite/sqlite-append-writer';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store';
