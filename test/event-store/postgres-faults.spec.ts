import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { PostgresEventStore, RecordedEvent, verifyPostgresLog } from '@hearth/event-store';
import { TestPostgres } from '../support/postgres-server';
import { postgresChildWriter } from './postgres-child-writer';
import { freshStream, newEvent, waitFor } from './event-store.contract';

/**
 * PostgreSQL specifics the shared contract cannot show: contiguous positions under many writers in several processes,
 * a connection lost in the middle of an append, a server restart under a running subscription, the stored bytes, and
 * the integrity walk on tampered tables.
 */
let pg: TestPostgres;
let dbCount = 0;
const freshDatabase = (): Promise<string> => pg.createDatabase(`faults_${++dbCount}`);

beforeAll(async () => {
  pg = await TestPostgres.start();
}, 120_000);

afterAll(async () => {
  await pg?.stop();
});

async function sql<T extends object = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

describe('PostgresEventStore under concurrency and faults', () => {
  it('3 writer processes and 2 in-process writers: a subscriber sees positions 1..N with no gap, no repeat, in order', async () => {
    const url = await freshDatabase();
    const store = await PostgresEventStore.open({ connectionString: url, pollIntervalMs: 50 });
    try {
      const PER_WRITER = 400;
      const CHILDREN = 3;
      const TOTAL = PER_WRITER * (CHILDREN + 2);
      const seen: number[] = [];
      const sub = store.subscribeToAll(async (batch) => void seen.push(...batch.map((e) => e.position)), { batchSize: 37 });

      const children = Array.from({ length: CHILDREN }, (_, c) =>
        postgresChildWriter(url, { streams: Array.from({ length: 4 }, (_, k) => `child${c}-${randomUUID()}-${k}`), events: PER_WRITER }, 3),
      );
      await Promise.all(children.map((c) => c.ready));
      const local = async (w: number): Promise<void> => {
        const streams = Array.from({ length: 3 }, () => freshStream(`local${w}`));
        const revision = new Map(streams.map((s) => [s, -1]));
        for (let written = 0, round = 0; written < PER_WRITER; round++) {
          const s = streams[round % streams.length];
          const n = Math.min(PER_WRITER - written, 1 + (round % 3));
          const cur = revision.get(s)!;
          const r = await store.append(s, Array.from({ length: n }, () => newEvent('Local')), cur === -1 ? 'no_stream' : cur);
          expect(r.written).toBe(true);
          revision.set(s, cur + n);
          written += n;
        }
      };
      await Promise.all([...children.map((c) => c.done), local(0), local(1)]);

      await waitFor(() => seen.length >= TOTAL, `the subscriber to see ${TOTAL} events`, 60_000);
      await sub.stop();
      // Contiguous: exactly 1..TOTAL, in order (a sequence with a slow committer would show a gap or a late lower one).
      expect(seen).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
      expect(await store.headPosition()).toBe(TOTAL);
      const report = await store.verifyIntegrity();
      expect(report).toMatchObject({ ok: true, checkedEvents: TOTAL });
    } finally {
      await store.close();
    }
  }, 180_000);

  it('a connection lost in the middle of an append fails it cleanly; a retry with the same ids writes once', async () => {
    const url = await freshDatabase();
    const store = await PostgresEventStore.open({ connectionString: url });
    const holder = new Client({ connectionString: url });
    await holder.connect();
    try {
      const s = freshStream('petition');
      await store.append(s, [newEvent('Registered')], 'no_stream');
      const head = await store.headPosition();

      // Another writer holds the head row lock, so the append stops midway: transaction open, lock awaited.
      await holder.query('BEGIN');
      await holder.query('SELECT position FROM log_head WHERE id = 1 FOR UPDATE');
      const events = [newEvent('Accepted'), newEvent('Assigned')];
      const pending = store.append(s, events, 0);
      const outcome = pending.then(
        () => 'resolved',
        (e: unknown) => e,
      );
      let killed = 0;
      for (let i = 0; i < 400 && killed === 0; i++) {
        const rows = await sql<{ n: string }>(
          url,
          "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = 'hearth-event-store' AND wait_event_type = 'Lock'",
        );
        killed = Number(rows[0].n);
        if (!killed) await new Promise((r) => setTimeout(r, 25));
      }
      expect(killed).toBe(1);
      const err = await outcome;
      expect(err).toBeInstanceOf(Error);
      await holder.query('ROLLBACK');

      // Nothing of it was written.
      expect(await store.headPosition()).toBe(head);
      expect((await store.readStream(s)).map((e) => e.type)).toEqual(['Registered']);

      // The store recovers by itself; the retry writes once, a second retry is a repeat.
      const retried = await store.append(s, events, 0);
      expect(retried).toMatchObject({ written: true, nextRevision: 2, position: head + 2 });
      expect(await store.append(s, events, 0)).toEqual({ written: false, nextRevision: 2, position: head + 2 });
      expect((await store.readStream(s)).map((e) => e.type)).toEqual(['Registered', 'Accepted', 'Assigned']);
      expect((await store.verifyIntegrity()).ok).toBe(true);
    } finally {
      await holder.end().catch(() => undefined);
      await store.close();
    }
  }, 60_000);

  it('a server restart: appends fail while it is down, then work again; the subscription resumes without a gap', async () => {
    const url = await freshDatabase();
    const store = await PostgresEventStore.open({ connectionString: url, pollIntervalMs: 50, connectTimeoutMs: 1_000 });
    try {
      const seen: RecordedEvent[] = [];
      const sub = store.subscribeToAll(async (batch) => void seen.push(...batch));
      const s = freshStream();
      await store.append(s, [newEvent('before')], 'no_stream');
      await waitFor(() => seen.length === 1, 'the first event');

      await pg.kill();
      await expect(store.append(s, [newEvent('while-down')], 0)).rejects.toThrow();
      await pg.resume();

      let appended = false;
      for (let i = 0; i < 100 && !appended; i++) {
        appended = await store.append(s, [newEvent('after')], 0).then(
          () => true,
          () => false,
        );
        if (!appended) await new Promise((r) => setTimeout(r, 100));
      }
      expect(appended).toBe(true);
      await waitFor(() => seen.length === 2, 'the event after the restart', 30_000);
      expect(seen.map((e) => [e.position, e.type])).toEqual([
        [1, 'before'],
        [2, 'after'],
      ]);
      await sub.stop();
    } finally {
      await store.close();
    }
  }, 120_000);

  it('stores data and metadata as the exact JSON text the chains hash; positions come back as numbers', async () => {
    const url = await freshDatabase();
    const store = await PostgresEventStore.open({ connectionString: url });
    try {
      const s = freshStream();
      const e = newEvent('Spaced', { z: 1, a: [1, { b: '投诉' }], m: null });
      const r = await store.append(s, [e], 'no_stream');
      const [row] = await sql<{ data: string; metadata: string }>(url, 'SELECT data, metadata FROM events WHERE event_id = $1', [e.id]);
      // Key order kept (jsonb would sort keys and drop the text the hash was computed over).
      expect(row.data).toBe(JSON.stringify(e.data));
      expect(row.metadata).toBe(JSON.stringify(e.metadata));
      const [read] = await store.readStream(s);
      expect(typeof read.position).toBe('number');
      expect(typeof read.revision).toBe('number');
      expect(read.position).toBe(r.position);
      const versions = await sql<{ version: number }>(url, 'SELECT version FROM hearth_schema ORDER BY version');
      expect(versions.map((v) => v.version)).toEqual([1]);
    } finally {
      await store.close();
    }
  });

  it('verify reports an edited event, a deleted one, and a truncated end against a kept head', async () => {
    const url = await freshDatabase();
    const store = await PostgresEventStore.open({ connectionString: url });
    try {
      const a = freshStream('a');
      const b = freshStream('b');
      await store.append(a, [newEvent('a0'), newEvent('a1')], 'no_stream');
      await store.append(b, [newEvent('b0')], 'no_stream');
      await store.append(a, [newEvent('a2'), newEvent('a3')], 1);
      const intact = await store.verifyIntegrity();
      expect(intact).toMatchObject({ ok: true, checkedEvents: 5, checkedStreams: 2, head: { position: 5 } });
      // `hearth verify` walks the same chains without opening the store, on read-only connections.
      expect(await verifyPostgresLog(url)).toEqual({ checked: true, report: intact });
      const empty = await freshDatabase();
      expect(await verifyPostgresLog(empty)).toMatchObject({ checked: false, reason: expect.stringMatching(/not a Hearth event log/) });
      expect(await sql(empty, "SELECT 1 FROM information_schema.tables WHERE table_name = 'hearth_schema'")).toEqual([]);
      const kept = (await store.headHash())!;
      expect(kept).toEqual(intact.head);

      await sql(url, `UPDATE events SET data = '{"n":2}' WHERE position = 3`);
      expect((await store.verifyIntegrity()).break).toMatchObject({ kind: 'edited', position: 3, streamId: b });

      await sql(url, `DELETE FROM events WHERE position = 3`);
      expect((await store.verifyIntegrity()).break).toMatchObject({ kind: 'deleted', position: 3 });

      const fresh = await freshDatabase();
      const other = await PostgresEventStore.open({ connectionString: fresh });
      try {
        await other.append(a, [newEvent('x0'), newEvent('x1'), newEvent('x2')], 'no_stream');
        const head = (await other.headHash())!;
        // Cut the end and make the counters agree: only the kept head can prove it.
        await sql(fresh, 'DELETE FROM events WHERE position = 3');
        await sql(fresh, `UPDATE streams SET last_revision = 1, last_position = 2`);
        await sql(fresh, `UPDATE log_head SET position = 2`);
        expect((await other.verifyIntegrity()).ok).toBe(true);
        expect((await other.verifyIntegrity({ expectedHead: head })).break).toMatchObject({ kind: 'truncated', position: 3 });
      } finally {
        await other.close();
      }
    } finally {
      await store.close();
    }
  });
});
