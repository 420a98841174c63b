import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Actor, calendarDecider, CN_2025, defaultRuleBook, OrgDirectory, petitionDecider, PetitionCommand, SYSTEM_ACTOR } from '@hearth/domain';
import { SqliteEventStore } from '@hearth/event-store';
import { CalendarRecomputation, CalendarRegistry, CommandRunner } from '@hearth/platform';
import { ControlledClock } from '@hearth/platform/clock/controlled-clock';
import { TestRedis } from '@hearth/testing/redis-server';

/**
 * The worker's recomputation over a real SQLite log and a real Redis: only cases whose open deadlines touch a
 * changed day get a RecomputeDeadlines; a repeated sweep (Redis flushed) decides nothing new; missing years are flagged.
 */
describe('calendar recomputation sweep', () => {
  let redis: TestRedis;
  let client: Redis;
  let dir: string;
  let store: SqliteEventStore;
  const org = new OrgDirectory([
    { id: 'city', name: '市总工会', level: 1 },
    { id: 'dist', name: '区总工会', level: 2, parentId: 'city' },
    { id: 'street', name: '街道工会', level: 3, parentId: 'dist' },
  ]);
  const clock = new ControlledClock('2025-11-13T02:00:00.000Z');
  const rules = defaultRuleBook();

  beforeAll(async () => {
    redis = await TestRedis.start();
    client = new Redis(redis.url);
    dir = mkdtempSync(join(tmpdir(), 'hearth-cal-'));
    store = new SqliteEventStore({ file: join(dir, 'log.sqlite') });
  });
  afterAll(async () => {
    client.disconnect();
    await store.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('recomputes only the touched cases, once, and flags a missing year', async () => {
    const calendars = new CalendarRegistry(store, store, clock, org);
    const runner = new CommandRunner(
      store,
      async (actor, now) => {
        const h = await calendars.calendar();
        return { actor, now, calendar: h.current(), calendarAt: (v) => h.atVersion(v), rules, org, jurisdiction: 'national' };
      },
      clock,
    );
    const intake: Actor = { id: 'intake.street', role: 'intake', orgUnit: 'street' };
    const register = (petitionId: string): PetitionCommand => ({
      type: 'RegisterPetition',
      petitionId,
      orgUnit: 'street',
      channel: 'letter',
      category: 'claim',
      subject: '拖欠工资',
      facts: '拖欠',
      request: '补发',
      petitioners: [{ name: '张三' }],
      headcount: 1,
      identityKnown: true,
    });
    // Received 11/13/2025: acceptance due Fri 11/28. Received 11/20: due Fri 12/5 (its period also spans 11/28).
    await runner.execute(petitionDecider, 'a', register('a'), intake, { commandId: 'reg-a' });
    clock.set('2025-11-20T02:00:00.000Z');
    await runner.execute(petitionDecider, 'b', register('b'), intake, { commandId: 'reg-b' });
    // Case c is accepted at once: its acceptance deadline is met, its handling period ends 1/19/2026.
    await runner.execute(petitionDecider, 'c', register('c'), intake, { commandId: 'reg-c' });
    await runner.execute(petitionDecider, 'c', { type: 'AcceptPetition', signedBy: 'head.street' }, { id: 'officer.street', role: 'officer', orgUnit: 'street' }, { commandId: 'acc-c' });

    // Case d is received on 11/29, after the day that will change.
    clock.set('2025-11-29T02:00:00.000Z');
    await runner.execute(petitionDecider, 'd', register('d'), intake, { commandId: 'reg-d' });

    const sent: string[] = [];
    const flagged: number[] = [];
    const sweep = new CalendarRecomputation({
      feed: store,
      redis: client,
      calendars,
      clock,
      recompute: async (streamId, calendarVersion, commandId) => {
        sent.push(streamId);
        await runner.execute(petitionDecider, streamId.slice('petition-'.length), { type: 'RecomputeDeadlines', calendarVersion }, SYSTEM_ACTOR, { commandId, cause: 'calendar' });
      },
      flagMissing: async (year, commandId) => {
        flagged.push(year);
        await runner.execute(calendarDecider, 'cn', { type: 'FlagMissingCalendarYear', year }, SYSTEM_ACTOR, { commandId });
      },
      pageSize: 3,
    });
    await sweep.tick();
    expect(sent).toEqual([]);

    // 2025 revised: Fri 11/28 off (test data). Case a's due date is that day; b's period contains it but ends later.
    await runner.execute(
      calendarDecider,
      'cn',
      { type: 'PublishCalendarYear', year: 2025, source: '测试修订（假想）', offDays: [...CN_2025.offDays, { date: '2025-11-28', name: '测试假日' }], workingWeekendDays: CN_2025.workingWeekendDays, format: 'hearth' },
      { id: 'admin.city', role: 'admin', orgUnit: 'city' },
      { commandId: 'load-2025r2' },
    );
    await sweep.tick();
    // Every case whose pending period contains 11/28 is asked (not d, received after it); each decider decides what moves.
    expect(sent.sort()).toEqual(['petition-a', 'petition-b', 'petition-c']);
    const recomputed = async (id: string) => (await store.readStream(`petition-${id}`)).filter((e) => e.type === 'DeadlineRecomputed').map((e) => e.data);
    expect(await recomputed('a')).toEqual([expect.objectContaining({ previousDueDate: '2025-11-28', dueDate: '2025-12-01', calendarVersion: 'cn:2025r2+2026r1' })]);
    // b's due date (Fri 12/5) and its ladder (12/2, 12/4, …) do not depend on 11/28: nothing changes.
    expect(await recomputed('b')).toEqual([]);
    // c's handling period (11/20 + 60 days = 1/19/2026) contains the day but does not end near it: nothing changes.
    expect(await recomputed('c')).toEqual([]);

    // A Redis flush loses the sweep's checkpoint: it runs again, its commands replay, nothing new is appended.
    const head = await store.headPosition();
    await client.flushall();
    sent.length = 0;
    await sweep.tick();
    expect(await store.headPosition()).toBe(head);

    // Deadlines counted in December 2026 may reach 2027: flagged once on the calendar stream.
    clock.set('2026-12-02T02:00:00.000Z');
    await sweep.tick();
    await sweep.tick();
    expect(flagged).toEqual([2027]);
    expect((await calendars.calendar()).flaggedMissing()).toEqual([2027]);
  });
});
