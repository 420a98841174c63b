/**
 * The event-store contract: one behavioural suite every adapter must pass (SQLite, EventStoreDB).
 *
 * Every test uses fresh, uniquely named streams, and filters the global log down to them, so the suite also runs
 * against a shared EventStoreDB server whose $all already holds (and concurrently receives) other data.
 */
import { randomUUID } from 'node:crypto';
import {
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
  WrongExpectedRevisionError,
} from '@hearth/event-store';

/** A writer running outside this process (another OS process) against the same store. */
export interface ExternalWriter {
  /** Resolves once the writer has opened the store and is about to start appending. */
  ready: Promise<void>;
  /** Resolves when it has appended everything (rejects if it failed). */
  done: Promise<void>;
}

export interface ExternalWriterSpec {
  /** Streams to append to (fresh; the writer starts each with `no_stream`, then exact revisions). */
  streams: string[];
  /** Total number of events to append, in batches of 1..4. */
  events: number;
}

export interface ContractSubject {
  store: EventStore;
  cleanup(): Promise<void>;
  /** Optional: start a writer in another process against the same store (used by the concurrency test). */
  externalWriter?: (spec: ExternalWriterSpec) => ExternalWriter;
}

export type ContractFactory = () => Promise<ContractSubject>;

// ---- helpers ------------------------------------------------------------------------------------------------------

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export const metadata = (over: Partial<EventMetadata> = {}): EventMetadata => ({
  actorId: 'user-7',
  role: 'caseworker',
  orgUnit: 'ou-north',
  occurredAt: new Date().toISOString(),
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  schemaVersion: 1,
  ...over,
});

export const newEvent = (type = 'Tested', data: unknown = { n: 1 }): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: metadata(),
});

/** `<kind>-<uuid>`: a stream name no other test (or other run on a shared server) uses. */
export const freshStream = (kind = 'contract'): string => `${kind}-${randomUUID()}`;

async function conflictOf(p: Promise<unknown>): Promise<WrongExpectedRevisionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof WrongExpectedRevisionError)) {
    throw new Error(`expected a WrongExpectedRevisionError, got ${err === undefined ? 'success' : String(err)}`);
  }
  return err;
}

async function expectConflict(
  p: Promise<unknown>,
  streamId: string,
  expected: ExpectedRevision,
  actual: number,
): Promise<void> {
  const err = await conflictOf(p);
  expect(err).toMatchObject({ streamId, expected, actual, name: 'WrongExpectedRevisionError' });
}

const types = (events: RecordedEvent[]): string[] => events.map((e) => e.type);
const revisions = (events: RecordedEvent[]): number[] => events.map((e) => e.revision);

function expectStrictlyIncreasing(positions: number[]): void {
  for (let i = 1; i < positions.length; i++) {
    if (!(positions[i] > positions[i - 1])) {
      throw new Error(`positions not strictly increasing at ${i}: ${positions[i - 1]} then ${positions[i]}`);
    }
  }
}

// ---- the suite ----------------------------------------------------------------------------------------------------

export function runEventStoreContract(name: string, factory: ContractFactory): void {
  describe(`${name}: event store contract`, () => {
    let subject: ContractSubject;
    let store: EventStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject?.cleanup();
    });

    describe('expected revision', () => {
      it('no_stream creates the stream, then conflicts with the actual last revision', async () => {
        const s = freshStream();
        const r = await store.append(s, [newEvent('A'), newEvent('B')], 'no_stream');
        expect(r).toMatchObject({ written: true, nextRevision: 1 });
        await expectConflict(store.append(s, [newEvent('C')], 'no_stream'), s, 'no_stream', 1);
      });

      it('stream_exists conflicts on a missing stream (actual -1) and appends to an existing one', async () => {
        const s = freshStream();
        await expectConflict(store.append(s, [newEvent('A')], 'stream_exists'), s, 'stream_exists', -1);
        expect(await store.readStream(s)).toEqual([]);
        await store.append(s, [newEvent('A')], 'no_stream');
        const r = await store.append(s, [newEvent('B')], 'stream_exists');
        expect(r).toMatchObject({ written: true, nextRevision: 1 });
      });

      it('an exact revision appends when it matches and conflicts otherwise, reporting the actual revision', async () => {
        const s = freshStream();
        await expectConflict(store.append(s, [newEvent('A')], 0), s, 0, -1);
        await store.append(s, [newEvent('A'), newEvent('B'), newEvent('C')], 'no_stream');
        await expectConflict(store.append(s, [newEvent('D')], 1), s, 1, 2);
        await expectConflict(store.append(s, [newEvent('D')], 3), s, 3, 2);
        const r = await store.append(s, [newEvent('D')], 2);
        expect(r).toMatchObject({ written: true, nextRevision: 3 });
        await expectConflict(store.append(s, [newEvent('E')], 2), s, 2, 3);
      });

      it('any appends whether or not the stream exists', async () => {
        const s = freshStream();
        expect(await store.append(s, [newEvent('A')], 'any')).toMatchObject({ written: true, nextRevision: 0 });
        expect(await store.append(s, [newEvent('B'), newEvent('C')], 'any')).toMatchObject({
          written: true,
          nextRevision: 2,
        });
      });

      it('a conflicting append writes nothing', async () => {
        const s = freshStream();
        await store.append(s, [newEvent('A')], 'no_stream');
        const head = await store.headPosition();
        await conflictOf(store.append(s, [newEvent('X'), newEvent('Y')], 5));
        await conflictOf(store.append(s, [newEvent('X')], 'no_stream'));
        expect(types(await store.readStream(s))).toEqual(['A']);
        const after = (await store.readAll({ after: head })).filter((e) => e.streamId === s);
        expect(after).toEqual([]);
      });
    });

    describe('idempotency', () => {
      it('re-appending the same event ids appends nothing and returns written=false, even with a stale expected revision', async () => {
        const s = freshStream();
        const first = [newEvent('A'), newEvent('B'), newEvent('C')];
        const r1 = await store.append(s, first, 'no_stream');
        expect(r1).toMatchObject({ written: true, nextRevision: 2 });

        // Immediate retry, same (now stale) expected revision.
        expect(await store.append(s, first, 'no_stream')).toEqual({
          written: false,
          nextRevision: 2,
          position: r1.position,
        });

        const second = [newEvent('D'), newEvent('E')];
        const r2 = await store.append(s, second, 2);
        expect(r2).toMatchObject({ written: true, nextRevision: 4 });

        // Late retries of both commands: stale expected revisions of every kind; nothing is written, the reply
        // carries the stream's current revision and the position of the originally stored events.
        expect(await store.append(s, first, 'no_stream')).toEqual({
          written: false,
          nextRevision: 4,
          position: r1.position,
        });
        expect(await store.append(s, second, 2)).toEqual({ written: false, nextRevision: 4, position: r2.position });
        expect(await store.append(s, second, 'any')).toEqual({ written: false, nextRevision: 4, position: r2.position });
        expect(await store.append(s, second, 'stream_exists')).toEqual({
          written: false,
          nextRevision: 4,
          position: r2.position,
        });
        expect(await store.append(s, [second[0]], 2)).toEqual({
          written: false,
          nextRevision: 4,
          position: (await store.readStream(s, { fromRevision: 3, maxCount: 1 }))[0].position,
        });

        const stored = await store.readStream(s);
        expect(types(stored)).toEqual(['A', 'B', 'C', 'D', 'E']);
        expect(stored.map((e) => e.id)).toEqual([...first, ...second].map((e) => e.id));
        expect(stored[2].position).toBe(r1.position);
        expect(stored[4].position).toBe(r2.position);
      });
    });

    describe('reading a stream', () => {
      it('reads forwards and backwards, with fromRevision and maxCount', async () => {
        const s = freshStream();
        const all = Array.from({ length: 10 }, (_, i) => newEvent(`t${i}`, { i }));
        await store.append(s, all.slice(0, 3), 'no_stream');
        await store.append(s, all.slice(3, 4), 2);
        await store.append(s, all.slice(4), 3);

        const forwards = await store.readStream(s);
        expect(revisions(forwards)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(types(forwards)).toEqual(all.map((e) => e.type));
        expect(forwards.every((e) => e.streamId === s)).toBe(true);
        expectStrictlyIncreasing(forwards.map((e) => e.position));

        expect(revisions(await store.readStream(s, { fromRevision: 3, maxCount: 4 }))).toEqual([3, 4, 5, 6]);
        expect(revisions(await store.readStream(s, { fromRevision: 8 }))).toEqual([8, 9]);
        expect(await store.readStream(s, { fromRevision: 10 })).toEqual([]);
        expect(revisions(await store.readStream(s, { maxCount: 2 }))).toEqual([0, 1]);

        const backwards = await store.readStream(s, { direction: 'backwards' });
        expect(backwards).toEqual([...forwards].reverse());
        expect(revisions(await store.readStream(s, { direction: 'backwards', fromRevision: 5, maxCount: 3 }))).toEqual(
          [5, 4, 3],
        );
        expect(revisions(await store.readStream(s, { direction: 'backwards', maxCount: 2 }))).toEqual([9, 8]);
        expect(revisions(await store.readStream(s, { direction: 'backwards', fromRevision: 0 }))).toEqual([0]);
        expect(await store.readStream(s, { maxCount: 0 })).toEqual([]);
      });

      it('returns [] for a stream that does not exist', async () => {
        const s = freshStream('missing');
        expect(await store.readStream(s)).toEqual([]);
        expect(await store.readStream(s, { direction: 'backwards' })).toEqual([]);
        expect(await store.readStream(s, { fromRevision: 3, maxCount: 2 })).toEqual([]);
      });

      it('round-trips id, type, data and every metadata field', async () => {
        const s = freshStream('petition');
        const id = randomUUID();
        const data = {
          title: 'Überstunden – Ärger im Lager 🧾',
          amount: 12.5,
          count: 0,
          flag: false,
          nothing: null,
          nested: { list: [1, 'two', null, true, { deep: 'x' }] },
          empty: {},
        };
        const meta = metadata({ cause: 'SubmitPetition', commandHash: 'sha256:abc123', schemaVersion: 3 });
        // A position the store returned, not arithmetic on one: EventStoreDB positions are byte offsets.
        const head = await store.headPosition();
        await store.append(s, [{ id, type: 'PetitionSubmitted', data, metadata: meta }], 'no_stream');
        const [e] = await store.readStream(s);
        expect(e).toMatchObject({ id, streamId: s, revision: 0, type: 'PetitionSubmitted' });
        expect(e.data).toEqual(data);
        expect(e.metadata).toEqual(meta);
        expect(new Date(e.recordedAt).toISOString()).toBe(e.recordedAt);
        expect(Math.abs(Date.parse(e.recordedAt) - Date.now())).toBeLessThan(5 * 60_000);

        const [viaAll] = (await store.readAll({ after: head })).filter((x) => x.id === id);
        expect(viaAll).toEqual(e);
      });
    });

    describe('the global log', () => {
      it('orders events across streams; positions strictly increase; backwards is the reverse', async () => {
        const a = freshStream('a');
        const b = freshStream('b');
        const c = freshStream('c');
        const mine = (e: RecordedEvent) => e.streamId === a || e.streamId === b || e.streamId === c;
        const head0 = await store.headPosition();

        const results: AppendResult[] = [];
        results.push(await store.append(a, [newEvent('a0')], 'no_stream'));
        results.push(await store.append(b, [newEvent('b0'), newEvent('b1')], 'no_stream'));
        results.push(await store.append(a, [newEvent('a1')], 0));
        results.push(await store.append(c, [newEvent('c0')], 'any'));
        results.push(await store.append(b, [newEvent('b2')], 1));

        const forwards = (await store.readAll({ after: head0 })).filter(mine);
        expect(types(forwards)).toEqual(['a0', 'b0', 'b1', 'a1', 'c0', 'b2']);
        expectStrictlyIncreasing(forwards.map((e) => e.position));
        expect(forwards[0].position).toBeGreaterThan(head0);

        // Each append reports the position of its last event.
        expect(results.map((r) => r.position)).toEqual([0, 2, 3, 4, 5].map((i) => forwards[i].position));
        expect(await store.headPosition()).toBeGreaterThanOrEqual(forwards[5].position);

        // Stream reads and $all reads return the same records.
        expect(await store.readStream(b)).toEqual(forwards.filter((e) => e.streamId === b));

        const backwards = (await store.readAll({ direction: 'backwards', maxCount: 1000 })).filter(mine);
        expect(backwards).toEqual([...forwards].reverse());

        // `after` is exclusive in both directions; maxCount bounds the page.
        const p = forwards[1].position;
        const page = await store.readAll({ after: p, maxCount: 2 });
        expect(page).toHaveLength(2);
        expect(page[0].position).toBeGreaterThan(p);
        expect(page).toEqual((await store.readAll({ after: p, maxCount: 100 })).slice(0, 2));
        expect((await store.readAll({ after: p, maxCount: 100 })).filter(mine).slice(0, 2)).toEqual(
          forwards.slice(2, 4),
        );

        const q = forwards[4].position;
        const back = await store.readAll({ direction: 'backwards', after: q, maxCount: 2 });
        expect(back).toHaveLength(2);
        expect(back[0].position).toBeLessThan(q);
        expect(back[1].position).toBeLessThan(back[0].position);
        const backWide = await store.readAll({ direction: 'backwards', after: q, maxCount: 100 });
        expect(back).toEqual(backWide.slice(0, 2));
        expect(backWide.filter(mine).slice(0, 2)).toEqual([forwards[3], forwards[2]]);

        expect(await store.readAll({ maxCount: 0 })).toEqual([]);
      });
    });

    describe('subscriptions', () => {
      it('starts after a checkpoint, catches up, then receives live appends; stop() ends it cleanly', async () => {
        const s = freshStream('sub');
        await store.append(s, [newEvent('e0'), newEvent('e1')], 'no_stream');
        await store.append(s, [newEvent('e2')], 1);
        const [e0] = await store.readStream(s);

        const received: RecordedEvent[] = [];
        const sub = store.subscribeToAll(
          async (batch) => {
            received.push(...batch.filter((e) => e.streamId === s));
          },
          { after: e0.position },
        );

        await waitFor(() => received.length >= 2, 'catch-up');
        expect(types(received)).toEqual(['e1', 'e2']);

        await store.append(s, [newEvent('e3'), newEvent('e4')], 2);
        await waitFor(() => received.length >= 4, 'live events');
        expect(types(received)).toEqual(['e1', 'e2', 'e3', 'e4']);
        expect(received).toEqual((await store.readStream(s)).slice(1));

        await sub.stop();
        await expect(sub.done).resolves.toBeUndefined();
        await store.append(s, [newEvent('e5')], 4);
        await sleep(150);
        expect(received).toHaveLength(4);
      });

      it('a handler rejection stops the subscription and rejects done', async () => {
        const s = freshStream('sub');
        const head = await store.headPosition();
        let calls = 0;
        const sub = store.subscribeToAll(
          async (batch) => {
            if (batch.some((e) => e.streamId === s)) {
              calls++;
              throw new Error('projection failed');
            }
          },
          { after: head },
        );
        await store.append(s, [newEvent('boom')], 'no_stream');
        await expect(sub.done).rejects.toThrow('projection failed');
        await store.append(s, [newEvent('after')], 0);
        await sleep(100);
        expect(calls).toBe(1);
        await expect(sub.stop()).resolves.toBeUndefined();
      });

      it('awaits each batch before delivering the next, and stop() from inside the handler ends it', async () => {
        const s = freshStream('sub');
        const head = await store.headPosition();
        const events = Array.from({ length: 30 }, (_, i) => newEvent(`n${i}`));
        await store.append(s, events, 'no_stream');
        let active = 0;
        let overlap = false;
        let seen = 0;
        const sub = store.subscribeToAll(
          async (batch) => {
            active++;
            if (active > 1) overlap = true;
            await sleep(2);
            seen += batch.filter((e) => e.streamId === s).length;
            active--;
            if (seen >= 10) await sub.stop();
          },
          { after: head, batchSize: 4 },
        );
        await sub.done;
        expect(overlap).toBe(false);
        expect(seen).toBeGreaterThanOrEqual(10);
        expect(seen).toBeLessThan(30);
      });
    });

    describe('concurrency', () => {
      it('4 concurrent writers (~2,000 events): a subscriber started first sees every position exactly once, in order', async () => {
        const prefix = `conc${randomUUID().replace(/-/g, '')}`;
        const mine = (e: RecordedEvent) => e.streamId.startsWith(prefix);
        const PER_WRITER = 500;
        const WRITERS = 4;
        const TOTAL = PER_WRITER * WRITERS;
        const start = await store.headPosition();

        // Subscriber, started before any writer.
        let last = start;
        let disorder = 0;
        const received: RecordedEvent[] = [];
        let batches = 0;
        const sub = store.subscribeToAll(
          async (batch) => {
            batches++;
            for (const e of batch) {
              if (!(e.position > last)) disorder++;
              last = e.position;
              if (mine(e)) received.push(e);
            }
            if (batches % 7 === 0) await sleep(1); // a handler that sometimes takes a while
          },
          { after: start, batchSize: 64 },
        );

        const streamsOf = (w: number) => Array.from({ length: 5 }, (_, k) => `${prefix}-w${w}-s${k}`);

        // In-process writer: batches of 1..4 events over its streams, exact revisions (no_stream first) mixed
        // with `any`, two appends in flight at a time on different streams, yielding between rounds.
        const writer = async (w: number): Promise<void> => {
          const streams = streamsOf(w);
          const revision = new Map<string, number>(streams.map((s) => [s, -1]));
          let written = 0;
          let round = 0;
          while (written < PER_WRITER) {
            const pending: Promise<AppendResult>[] = [];
            for (let lane = 0; lane < 2 && written < PER_WRITER; lane++) {
              const s = streams[(round * 2 + lane) % streams.length];
              const n = Math.min(PER_WRITER - written, 1 + ((round * 7 + lane * 3 + w) % 4));
              const batch = Array.from({ length: n }, (_, i) => newEvent(`W${w}`, { w, round, i }));
              const cur = revision.get(s)!;
              const expected: ExpectedRevision = round % 5 === 4 ? 'any' : cur === -1 ? 'no_stream' : cur;
              revision.set(s, cur + n);
              written += n;
              pending.push(store.append(s, batch, expected));
            }
            for (const r of await Promise.all(pending)) expect(r.written).toBe(true);
            round++;
            await new Promise<void>((r) => setImmediate(r));
          }
        };

        const external = subject.externalWriter?.({ streams: streamsOf(WRITERS - 1), events: PER_WRITER });
        if (external) await external.ready;
        const inProcess = WRITERS - (external ? 1 : 0);
        await Promise.all([...Array.from({ length: inProcess }, (_, w) => writer(w)), external?.done]);

        await waitFor(() => received.length >= TOTAL, `the subscriber to see ${TOTAL} events`, 60_000);
        await sleep(50); // nothing extra may arrive
        await sub.stop();

        expect(disorder).toBe(0);
        expect(received).toHaveLength(TOTAL);
        const positions = received.map((e) => e.position);
        expect(new Set(positions).size).toBe(TOTAL);
        expectStrictlyIncreasing(positions);

        const logged = (await store.readAll({ after: start })).filter(mine);
        expect(logged).toHaveLength(TOTAL);
        expect(positions).toEqual(logged.map((e) => e.position));
        expect(received.map((e) => e.id)).toEqual(logged.map((e) => e.id));

        // Every stream has contiguous revisions 0..n-1.
        const byStream = new Map<string, number[]>();
        for (const e of logged) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e.revision]);
        expect(byStream.size).toBe(WRITERS * 5);
        for (const revs of byStream.values()) expect(revs).toEqual(revs.map((_, i) => i));

        // The writers really overlapped: every writer's position range intersects every other's.
        const ranges = Array.from({ length: WRITERS }, (_, w) => {
          const ps = logged.filter((e) => e.streamId.startsWith(`${prefix}-w${w}-`)).map((e) => e.position);
          return [Math.min(...ps), Math.max(...ps)] as const;
        });
        for (const [lo1, hi1] of ranges) for (const [lo2, hi2] of ranges) expect(lo1 < hi2 && lo2 < hi1).toBe(true);
      }, 120_000);
    });
  });
}
