import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendResult, SqliteEventStore, WrongExpectedRevisionError } from '@hearth/event-store';
import { freshStream, newEvent } from './event-store.contract';

/**
 * Group commit: appends arriving in the same event-loop turn (or while the write lock is held elsewhere) commit in
 * one IMMEDIATE transaction with one fsync; each append is checked in its own SAVEPOINT. `currentAppendSeq` counts
 * committed transactions that wrote something, so it tells how many commits a burst took.
 */
const dirs: string[] = [];
const newStore = (options: { maxGroupSize?: number; busyTimeoutMs?: number } = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-group-'));
  dirs.push(dir);
  const file = join(dir, 'events.db');
  return { file, store: new SqliteEventStore({ file, ...options }) };
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Settled = { ok: true; value: AppendResult } | { ok: false; error: unknown };
const settle = (p: Promise<AppendResult>): Promise<Settled> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe('SqliteEventStore group commit', () => {
  it('200 concurrent appends to different streams and one conflicting append: one commit, the conflict fails alone', async () => {
    const { store } = newStore();
    try {
      const existing = freshStream();
      await store.append(existing, [newEvent('A'), newEvent('B')], 'no_stream');
      const seq0 = store.currentAppendSeq;
      const head0 = await store.headPosition();

      const streams = Array.from({ length: 200 }, () => freshStream());
      const pending = streams.map((s, i) => settle(store.append(s, [newEvent('N', { i }), newEvent('M', { i })], 'no_stream')));
      // In the middle of the group: a stale expected revision (the stream is at 1).
      pending.splice(100, 0, settle(store.append(existing, [newEvent('Stale')], 0)));
      const results = await Promise.all(pending);

      expect(store.currentAppendSeq - seq0).toBe(1);
      const conflict = results[100];
      expect(conflict.ok).toBe(false);
      expect(!conflict.ok && conflict.error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(!conflict.ok && conflict.error).toMatchObject({ streamId: existing, expected: 0, actual: 1 });

      const ok = results.filter((r): r is Extract<Settled, { ok: true }> => r.ok).map((r) => r.value);
      expect(ok).toHaveLength(200);
      expect(ok.every((r) => r.written && r.nextRevision === 1)).toBe(true);
      // Arrival order, contiguous positions: the failed append left no hole.
      expect(ok.map((r) => r.position)).toEqual(ok.map((_, i) => head0 + 2 * (i + 1)));
      expect(await store.headPosition()).toBe(head0 + 400);
      expect((await store.readStream(existing)).map((e) => e.type)).toEqual(['A', 'B']);
      for (const [i, s] of streams.entries()) expect((await store.readStream(s)).map((e) => e.data)).toEqual([{ i }, { i }]);

      expect(await store.verifyIntegrity()).toMatchObject({ ok: true, checkedEvents: 402, checkedStreams: 201 });
    } finally {
      await store.close();
    }
  });

  it('appends to one stream in one group apply in arrival order; a retry in the same group is a no-op', async () => {
    const { store } = newStore();
    try {
      const s = freshStream();
      const first = [newEvent('A')];
      const seq0 = store.currentAppendSeq;
      const [a, retry, b, c, lateConflict] = await Promise.all([
        store.append(s, first, 'no_stream'),
        store.append(s, first, 'no_stream'),
        store.append(s, [newEvent('B')], 0),
        store.append(s, [newEvent('C'), newEvent('D')], 'stream_exists'),
        settle(store.append(s, [newEvent('X')], 'no_stream')),
      ]);
      expect(store.currentAppendSeq - seq0).toBe(1);
      expect(a).toMatchObject({ written: true, nextRevision: 0 });
      expect(retry).toEqual({ written: false, nextRevision: 0, position: a.position });
      expect(b).toMatchObject({ written: true, nextRevision: 1, position: a.position + 1 });
      expect(c).toMatchObject({ written: true, nextRevision: 3, position: a.position + 3 });
      expect(lateConflict).toMatchObject({ ok: false, error: { actual: 3 } });
      expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
      expect((await store.verifyIntegrity()).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('other per-append failures (event id in another stream, bad data) fail alone too', async () => {
    const { store } = newStore();
    try {
      const taken = newEvent('T');
      await store.append(freshStream(), [taken], 'no_stream');
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const results = await Promise.all([
        settle(store.append(freshStream(), [newEvent('ok1')], 'no_stream')),
        settle(store.append(freshStream(), [taken], 'no_stream')),
        settle(store.append(freshStream(), [newEvent('bad', circular)], 'no_stream')),
        settle(store.append(freshStream(), [newEvent('ok2')], 'no_stream')),
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
      expect(!results[1].ok && String(results[1].error)).toMatch(/already stored in stream/);
      expect(!results[2].ok && results[2].error).toBeInstanceOf(TypeError);
      expect((await store.verifyIntegrity()).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('is durable before any promise resolves: another connection sees every event of the group', async () => {
    const { store, file } = newStore();
    const other = new Database(file, { readonly: true });
    try {
      const streams = Array.from({ length: 50 }, () => freshStream());
      const counted: number[] = [];
      await Promise.all(
        streams.map((s) =>
          store.append(s, [newEvent('E')], 'no_stream').then(() => {
            counted.push((other.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n);
          }),
        ),
      );
      // Every caller, even the first to resume, sees all 50 committed.
      expect(counted).toEqual(streams.map(() => 50));
      expect(store.currentAppendSeq).toBe(1);
    } finally {
      other.close();
      await store.close();
    }
  });

  it('splits a burst into groups of at most maxGroupSize', async () => {
    const { store } = newStore({ maxGroupSize: 10 });
    try {
      await Promise.all(Array.from({ length: 35 }, () => store.append(freshStream(), [newEvent('E')], 'no_stream')));
      expect(store.currentAppendSeq).toBe(4);
      expect((await store.verifyIntegrity()).checkedEvents).toBe(35);
    } finally {
      await store.close();
    }
  });

  it('appends that arrive while another process holds the write lock join one group when it is released', async () => {
    const { store, file } = newStore({ busyTimeoutMs: 5_000 });
    const other = new Database(file);
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      const first = store.append(freshStream(), [newEvent('first')], 'no_stream');
      await new Promise((r) => setTimeout(r, 50));
      const later = Array.from({ length: 20 }, () => store.append(freshStream(), [newEvent('later')], 'no_stream'));
      await new Promise((r) => setTimeout(r, 50));
      other.prepare('COMMIT').run();
      const results = await Promise.all([first, ...later]);
      expect(results.every((r) => r.written)).toBe(true);
      expect(store.currentAppendSeq).toBe(1);
    } finally {
      other.close();
      await store.close();
    }
  });

  it('close() commits appends already accepted, then refuses new ones', async () => {
    const { store, file } = newStore();
    const pending = Array.from({ length: 5 }, () => store.append(freshStream(), [newEvent('E')], 'no_stream'));
    await store.close();
    expect((await Promise.all(pending)).every((r) => r.written)).toBe(true);
    await expect(store.append(freshStream(), [newEvent('E')], 'no_stream')).rejects.toThrow(/closed/);
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 5 });
    raw.close();
  });
});
