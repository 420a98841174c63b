import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Actor, Decider, DecisionContext, DomainEvent } from '@hearth/domain';
import { EventStore, ReadStreamOptions, RecordedEvent, SqliteEventStore } from '@hearth/event-store';
import type { Clock } from '../clock/clock';
import { commandMetaFrom } from '../http/command-meta';
import { CommandRunner } from './command-runner';

type Add = { type: 'Add'; n: number };
type Added = DomainEvent<'Added', { n: number; totalAfter: number }>;

/** The decided event depends on the state: a stale cached state shows up as a wrong `totalAfter`. */
const counter: Decider<Add, Added, { total: number }> = {
  category: 'counter',
  initialState: { total: 0 },
  evolve: (s, e) => ({ total: e.data.totalAfter }),
  decide: (c, s) => [{ type: 'Added', data: { n: c.n, totalAfter: s.total + c.n } }],
};

const actor: Actor = { id: 'officer.x', role: 'officer', orgUnit: 'x' };
const clock: Clock = { speed: 1, now: () => new Date('2026-03-10T02:00:00Z'), realDelayUntil: () => 0 };
const context = (a: Actor, now: string) => ({ actor: a, now }) as DecisionContext;

/** The store, counting the events each stream read returns. */
function counting(store: EventStore): { store: EventStore; eventsRead: () => number } {
  let read = 0;
  const wrapped = Object.create(store) as EventStore;
  wrapped.readStream = async (id: string, o?: ReadStreamOptions): Promise<RecordedEvent[]> => {
    const events = await store.readStream(id, o);
    read += events.length;
    return events;
  };
  return { store: wrapped, eventsRead: () => read };
}

describe('CommandRunner cache', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-runner-'));
    store = new SqliteEventStore({ file: join(dir, 'log.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its own appends in the cache: the next command decides on them without reading them back', async () => {
    const { store: s, eventsRead } = counting(store);
    const runner = new CommandRunner(s, context, clock);
    await runner.execute(counter, 'a', { type: 'Add', n: 2 }, actor, { commandId: randomUUID() });
    const second = await runner.execute(counter, 'a', { type: 'Add', n: 3 }, actor, { commandId: randomUUID() });
    expect(second.revision).toBe(1);
    expect(eventsRead()).toBe(0);
    expect((await store.readStream('counter-a')).map((e) => (e.data as Added['data']).totalAfter)).toEqual([2, 5]);
  });

  it('answers a retried command from the cache with the first outcome', async () => {
    const runner = new CommandRunner(store, context, clock);
    const commandId = randomUUID();
    const first = await runner.execute(counter, 'b', { type: 'Add', n: 1 }, actor, { commandId });
    await runner.execute(counter, 'b', { type: 'Add', n: 1 }, actor, { commandId: randomUUID() });
    const retried = await runner.execute(counter, 'b', { type: 'Add', n: 1 }, actor, { commandId });
    expect(retried).toEqual({ ...first, replayed: true });
    expect(await store.readStream('counter-b')).toHaveLength(2);
  });

  it('still sees appends made by another process (another runner) since its own', async () => {
    const here = new CommandRunner(store, context, clock);
    const elsewhere = new CommandRunner(store, context, clock);
    await here.execute(counter, 'c', { type: 'Add', n: 1 }, actor, { commandId: randomUUID() });
    await elsewhere.execute(counter, 'c', { type: 'Add', n: 10 }, actor, { commandId: randomUUID() });
    const out = await here.execute(counter, 'c', { type: 'Add', n: 100 }, actor, { commandId: randomUUID() });
    expect(out.revision).toBe(2);
    expect((await store.readStream('counter-c')).map((e) => (e.data as Added['data']).totalAfter)).toEqual([1, 11, 111]);
  });
});

describe('Idempotency-Key bound to the command whatever ids the client chose (issue 11.8)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-runner-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('derives the command id from the caller and the key only', () => {
    const h = { 'idempotency-key': 'visit-7' };
    const other: Actor = { id: 'officer.y', role: 'officer', orgUnit: 'y' };
    expect(commandMetaFrom(h, actor, 'petition|p1|RegisterPetition').commandId).toBe(commandMetaFrom(h, actor, 'petition|p2|RegisterPetition').commandId);
    expect(commandMetaFrom(h, actor).commandId).not.toBe(commandMetaFrom(h, other).commandId);
    expect(commandMetaFrom({}, actor).commandId).not.toBe(commandMetaFrom({}, actor).commandId);
  });

  for (const writerThread of [false, true]) {
    it(`refuses the key on another stream with IDEMPOTENCY_KEY_REUSED and appends nothing, also after a restart (writer thread ${writerThread})`, async () => {
      const file = join(dir, `log-${writerThread}.sqlite`);
      let store = new SqliteEventStore({ file, writerThread });
      const { commandId } = commandMetaFrom({ 'idempotency-key': 'k-1' }, actor, 'ignored');
      const first = await new CommandRunner(store, context, clock).execute(counter, 'a', { type: 'Add', n: 1 }, actor, { commandId });
      const runner = new CommandRunner(store, context, clock);
      await expect(runner.execute(counter, 'b', { type: 'Add', n: 1 }, actor, { commandId })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', kind: 'rule' });
      expect(await store.readStream('counter-b')).toEqual([]);
      // The same request again is the first one's answer.
      expect(await runner.execute(counter, 'a', { type: 'Add', n: 1 }, actor, { commandId })).toEqual({ ...first, replayed: true });

      // The log remembers the key: a new process (empty caches) refuses it too.
      await store.close();
      store = new SqliteEventStore({ file, writerThread });
      const fresh = new CommandRunner(store, context, clock);
      await expect(fresh.execute(counter, 'c', { type: 'Add', n: 2 }, actor, { commandId })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await store.headPosition()).toBe(first.position);
      await store.close();
    });
  }
});
