import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { registerBody } from '../load/workloads';

export interface StoreFloorResult {
  /** Durable appends (transactions: check the stream's revision, insert 2 events, update the stream) per second. */
  singleAppendsPerSec: number;
  /** The same appends, `batch` per transaction (what group commit can reach at best). */
  batchedAppendsPerSec: number;
  batch: number;
  eventBytes: number;
}

/**
 * The store floor: raw better-sqlite3 on the bench's data disk, WAL + synchronous=FULL (every commit fsynced, as
 * Hearth's SQLite adapter), the same shape of append as a petition registration: look up the stream's last
 * revision, insert two events (~1 KB of JSON with metadata), upsert the stream. No hashing, no JSON of Hearth's.
 */
export function storeFloor(dataRoot: string, seconds: number, batch = 100): StoreFloorResult {
  const dir = mkdtempSync(join(dataRoot, 'store-floor-'));
  const db = new Database(join(dir, 'floor.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`
      CREATE TABLE events (
        position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
        event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
        recorded_at TEXT NOT NULL, UNIQUE (stream_id, revision));
      CREATE TABLE streams (stream_id TEXT PRIMARY KEY, last_revision INTEGER NOT NULL) WITHOUT ROWID;`);
    const last = db.prepare<[string], { last_revision: number }>('SELECT last_revision FROM streams WHERE stream_id = ?');
    const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const upsert = db.prepare('INSERT INTO streams (stream_id, last_revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET last_revision = excluded.last_revision');
    const data = JSON.stringify(registerBody({ unit: 'east-s1-g1', id: '', seq: 7, loop: 3 }));
    const deadline = JSON.stringify({ deadlineId: 'acceptance-1', kind: 'acceptance', dueAt: '2026-03-25T16:00:00.000Z', ladder: [] });
    const meta = JSON.stringify({
      actorId: 'intake.east-s1-g1',
      role: 'intake',
      orgUnit: 'east-s1-g1',
      occurredAt: new Date().toISOString(),
      commandId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      schemaVersion: 1,
      cause: 'RegisterPetition',
    });
    const appendOne = () => {
      const stream = `petition-${randomUUID()}`;
      const rev = last.get(stream)?.last_revision ?? -1;
      const at = new Date().toISOString();
      insert.run(stream, rev + 1, randomUUID(), 'PetitionRegistered', data, meta, at);
      insert.run(stream, rev + 2, randomUUID(), 'DeadlineOpened', deadline, meta, at);
      upsert.run(stream, rev + 2);
    };
    const single = db.transaction(appendOne);
    const many = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) appendOne();
    });
    const rate = (fn: () => number): number => {
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < seconds * 1000) n += fn();
      return (n * 1000) / (performance.now() - t0);
    };
    for (let i = 0; i < 200; i++) single.immediate(); // warm-up: statements, page cache
    const singleAppendsPerSec = rate(() => (single.immediate(), 1));
    const batchedAppendsPerSec = rate(() => (many.immediate(batch), batch));
    return { singleAppendsPerSec, batchedAppendsPerSec, batch, eventBytes: data.length + meta.length };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
