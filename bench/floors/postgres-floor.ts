import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { NewEvent, PostgresEventStore } from '@hearth/event-store';
import { registerBody } from '../load/workloads';

export interface PostgresFloorResult {
  /** Raw pg, one append per transaction, serialised on a head row like the adapter (what a log without group commit gets). */
  singleAppendsPerSec: number;
  /** The same appends, `batch` per transaction. */
  batchedAppendsPerSec: number;
  /** PostgresEventStore.append from `concurrency` concurrent callers (group commit, hash chains, idempotency checks). */
  adapterAppendsPerSec: number;
  batch: number;
  concurrency: number;
}

const meta = (): NewEvent['metadata'] => ({
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

/** The shape of a petition registration: the registration and its deadline, ~1 KB of JSON. */
const registration = (): NewEvent[] => [
  { id: randomUUID(), type: 'PetitionRegistered', data: registerBody({ unit: 'east-s1-g1', id: randomUUID(), seq: 7, loop: 3 }), metadata: meta() },
  { id: randomUUID(), type: 'DeadlineOpened', data: { deadlineId: 'acceptance-1', kind: 'acceptance', dueAt: '2026-03-25T16:00:00.000Z', ladder: [] }, metadata: meta() },
];

const FLOOR_SCHEMA = `
CREATE TABLE IF NOT EXISTS floor_events (position bigint PRIMARY KEY, stream_id text NOT NULL, revision bigint NOT NULL, event_id text NOT NULL UNIQUE,
  type text NOT NULL, data text NOT NULL, metadata text NOT NULL, recorded_at text NOT NULL, UNIQUE (stream_id, revision));
CREATE TABLE IF NOT EXISTS floor_streams (stream_id text PRIMARY KEY, last_revision bigint NOT NULL);
CREATE TABLE IF NOT EXISTS floor_head (id int PRIMARY KEY, position bigint NOT NULL);
INSERT INTO floor_head VALUES (1, 0) ON CONFLICT DO NOTHING;`;

/** Raw pg appends for `seconds` from `concurrency` connections, `perTx` appends of 2 events per transaction. */
async function rawAppends(pool: Pool, seconds: number, concurrency: number, perTx: number): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let appends = 0;
  const worker = async (): Promise<void> => {
    const c = await pool.connect();
    try {
      while (Date.now() < until) {
        await c.query('BEGIN');
        const head = Number((await c.query<{ position: string }>('SELECT position FROM floor_head WHERE id = 1 FOR UPDATE')).rows[0].position);
        let position = head;
        for (let i = 0; i < perTx; i++) {
          const stream = `petition-${randomUUID()}`;
          await c.query('SELECT last_revision FROM floor_streams WHERE stream_id = $1', [stream]);
          const evs = registration();
          await c.query(
            'INSERT INTO floor_events SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])',
            [[position + 1, position + 2], [stream, stream], [0, 1], evs.map((e) => e.id), evs.map((e) => e.type), evs.map((e) => JSON.stringify(e.data)), evs.map((e) => JSON.stringify(e.metadata)), [new Date().toISOString(), new Date().toISOString()]],
          );
          await c.query('INSERT INTO floor_streams VALUES ($1, 1) ON CONFLICT (stream_id) DO UPDATE SET last_revision = excluded.last_revision', [stream]);
          position += 2;
        }
        await c.query('UPDATE floor_head SET position = $1 WHERE id = 1', [position]);
        await c.query('COMMIT');
        appends += perTx;
      }
    } finally {
      c.release();
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return appends / ((Date.now() - t0) / 1000);
}

/**
 * The PostgreSQL floors: raw-driver appends of a petition registration's shape (serialised on a head row, fsync on),
 * one and `batch` per transaction, and Hearth's adapter under `concurrency` concurrent appenders (group commit).
 */
export async function postgresFloor(url: string, seconds: number, concurrency = 32, batch = 100): Promise<PostgresFloorResult> {
  const pool = new Pool({ connectionString: url, max: concurrency });
  try {
    await pool.query(FLOOR_SCHEMA);
    const singleAppendsPerSec = await rawAppends(pool, seconds, concurrency, 1);
    const batchedAppendsPerSec = await rawAppends(pool, seconds, 1, batch);
    const store = await PostgresEventStore.open({ connectionString: url });
    let appends = 0;
    const until = Date.now() + seconds * 1000;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          await store.append(`petition-${randomUUID()}`, registration(), 'no_stream');
          appends++;
        }
      }),
    );
    const adapterAppendsPerSec = appends / ((Date.now() - t0) / 1000);
    await store.close();
    return { singleAppendsPerSec, batchedAppendsPerSec, adapterAppendsPerSec, batch, concurrency };
  } finally {
    await pool.end();
  }
}
