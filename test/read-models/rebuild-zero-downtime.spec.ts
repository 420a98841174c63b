import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { NewEvent } from '@hearth/event-store/event-store.port';
import {
  ActiveGeneration,
  Alert,
  AlertProjection,
  AlertQueries,
  PetitionCounters,
  PetitionDetail,
  PetitionProjection,
  PetitionQueries,
  ProjectionRunner,
  readModelStatus,
  RepeatPetitionProjection,
  RepeatPetitionQueries,
  requestGenerationRebuild,
  requestRebuild,
} from '@hearth/read-models';
import { dumpState, Env, eventually, org, setup, sleep } from './support';

const UNITS = ['g1', 'g2', 'g3', 's1', 'd1', 'd2'];
const CHANNELS = ['online', 'letter', 'visit', 'hotline'];
const CATEGORIES = ['suggestion', 'accusation', 'claim'];
const OFFICERS = Array.from({ length: 50 }, () => randomUUID());
const users = [
  { id: 'sup.s1', role: 'supervisor', orgUnit: 's1' },
  { id: 'sup.d1', role: 'supervisor', orgUnit: 'd1' },
  { id: 'sup.d2', role: 'supervisor', orgUnit: 'd2' },
  { id: 'sup.city', role: 'supervisor', orgUnit: 'city' },
];
const CASES = 2400;
/** Bound of every wait for a condition: generous, since it never says how long anything should take. */
const PATIENCE = 90_000;
/** Per test: several such waits. */
const TEST_TIMEOUT = 300_000;

const ev = (type: string, data: unknown, at: string, actorId = 'system', orgUnit = 'system'): NewEvent => {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type,
    data,
    metadata: { actorId, role: 'officer', orgUnit, occurredAt: at, commandId, correlationId: commandId, causationId: commandId, schemaVersion: 1 },
  };
};
const opened = (deadlineId: string, kind: string, owner: string, dueDate: string, at: string) =>
  ev('DeadlineOpened', {
    deadlineId,
    kind,
    duty: kind,
    ownerOrgUnit: owner,
    startDate: at.slice(0, 10),
    days: 15,
    unit: 'calendar',
    dueDate,
    dueAt: `${dueDate}T16:00:00.000Z`,
    onExpiry: 'miss',
    legalBasis: '信访工作条例 art. 23',
    calendarVersion: 'cn-2025.1',
    calendarCovered: true,
  }, at);
const registered = (id: string, unit: string, i: number, at: string) =>
  ev(
    'PetitionRegistered',
    {
      petitionId: id,
      orgUnit: unit,
      channel: CHANNELS[i % 4],
      category: CATEGORIES[i % 3],
      subject: `拖欠工资及加班费 ${i % 97}`,
      facts: '公司拖欠三个月工资。'.repeat(10),
      request: '请求工会协调追讨工资。',
      petitioners: [{ name: '张三', contact: '13800000000', idNumber: '110101199001011234' }],
      petitionerKeys: [`pk${i}`.padEnd(43, 'x')],
      headcount: 1,
      identityKnown: true,
      collective: i % 50 === 0,
      urgent: i % 20 === 0,
      receivedAt: at,
      receivedDate: at.slice(0, 10),
      jurisdiction: 'national',
      registeredBy: 'intake-1',
    },
    at,
    'intake-1',
    unit,
  );
const missed = (unit: string, at: string) =>
  ev('DeadlineMissed', { deadlineId: 'handling-1', kind: 'handling', dueAt: '2025-11-30T16:00:00.000Z', missedAt: at, ownerOrgUnit: unit, escalateTo: org.parentOf(unit) ?? null, level: 1, next: null }, at);

/** ~10 events per case in four rounds, so that the log interleaves cases as in real life. */
async function writeCases(env: Env, n: number): Promise<void> {
  const cases = Array.from({ length: n }, (_, i) => ({ id: randomUUID(), unit: UNITS[i % UNITS.length], officer: OFFICERS[i % OFFICERS.length], i }));
  const rounds: Array<(c: (typeof cases)[number]) => NewEvent[]> = [
    (c) => {
      const at = `2025-09-${String(1 + (c.i % 28)).padStart(2, '0')}T02:00:00.000Z`;
      return [registered(c.id, c.unit, c.i, at), opened('acceptance-1', 'acceptance', c.unit, '2025-10-15', at)];
    },
    (c) => {
      const at = '2025-10-01T02:00:00.000Z';
      return [
        ev('PetitionAccepted', { acceptedAt: at, signedBy: 'head', legalBasis: 'art. 23', onTime: true }, at, c.officer, c.unit),
        ev('DeadlineMet', { deadlineId: 'acceptance-1', kind: 'acceptance', metAt: at, late: false }, at, c.officer, c.unit),
        ev('HandlerAssigned', { officerId: c.officer, assignedBy: 'head', assignedAt: at }, at, 'head', c.unit),
        opened('handling-1', 'handling', c.unit, '2025-11-30', at),
      ];
    },
    (c) => {
      const at = '2025-10-05T02:00:00.000Z';
      return [ev('ProgressRecorded', { note: '已约谈企业负责人', attachments: [], recordedBy: c.officer, recordedAt: at }, at, c.officer, c.unit)];
    },
    (c) => {
      const at = '2025-11-20T02:00:00.000Z';
      if (c.i % 4 === 0) return [missed(c.unit, '2025-12-01T00:00:00.000Z')];
      if (c.i % 4 === 1)
        return [
          ev('PetitionAnswered', { outcome: 'support', facts: '属实', legalBasis: 'art. 32', draftedBy: c.officer, approvedBy: 'head', answeredAt: at, onTime: true }, at, 'head', c.unit),
          ev('DeadlineMet', { deadlineId: 'handling-1', kind: 'handling', metAt: at, late: false }, at, c.officer, c.unit),
          ev('PetitionClosed', { reason: 'resolved', closedAt: at, closedBy: 'head' }, at, 'head', c.unit),
        ];
      return [ev('ProgressRecorded', { note: '企业承诺分期支付', attachments: [], recordedBy: c.officer, recordedAt: at }, at, c.officer, c.unit)];
    },
  ];
  for (const round of rounds) for (const c of cases) await env.store.append(`petition-${c.id}`, round(c), 'any');
}

interface Expected {
  city: PetitionCounters;
  d1: PetitionCounters;
  open: number;
  firstOpenIds: string[];
  detail: PetitionDetail;
  alerts: number;
  cityInbox: string[];
  repeat: string | undefined;
}

/** What a set of queries answers; compared with the expected values on every round of the loop. */
async function answer(pq: PetitionQueries, aq: AlertQueries, rq: RepeatPetitionQueries, detailId: string): Promise<Expected> {
  const [counters, open, detail, alerts, inbox, repeat] = await Promise.all([
    pq.countersOf(['city', 'd1']),
    pq.list({ orgUnit: 'city', status: 'open', limit: 20 }),
    pq.get(detailId),
    aq.subtree('city', { status: 'all', limit: 0 }),
    aq.userInbox('sup.city', { status: 'all', limit: 50 }),
    rq.find(['pk7'.padEnd(43, 'x')], '拖欠工资及加班费 7'),
  ]);
  return {
    city: counters.city,
    d1: counters.d1,
    open: open.total,
    firstOpenIds: open.items.map((i) => i.id),
    detail: detail!,
    alerts: alerts.total,
    cityInbox: inbox.items.map((a) => a.id),
    repeat,
  };
}

/** Loops started by a test, stopped after it whatever happens (a failed expectation must not leave them running). */
const background: Array<() => Promise<unknown>> = [];

/** Queries in a loop until stopped; every answer is checked by `check` (returns a problem or undefined). */
function queryLoop(run: () => Promise<Expected>, check: (got: Expected) => string | undefined) {
  const problems: string[] = [];
  let rounds = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      try {
        const problem = check(await run());
        if (problem && problems.length < 20) problems.push(problem);
      } catch (err) {
        if (problems.length < 20) problems.push(`error: ${(err as Error).message}`);
      }
      rounds++;
      await sleep(1);
    }
  })();
  const stop = async () => {
    stopped = true;
    await done;
  };
  background.push(stop);
  return { problems, rounds: () => rounds, stop };
}

/** Generation bookkeeping lives under the base prefix, not in a generation: left out of state comparisons. */
function withoutPointers(state: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state).filter(([k]) => !k.startsWith('rm:')));
}

async function keysMatching(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

describe('zero-downtime rebuild: a new generation next to the active one, then an atomic switch (real redis + sqlite)', () => {
  let env: Env;
  let live: ProjectionRunner;
  let rebuild: ProjectionRunner;
  const delivered: Alert[] = [];
  const projections = () => [
    new PetitionProjection({ org }),
    new AlertProjection({ org, users, deliver: async (a) => void delivered.push(...a) }),
    new RepeatPetitionProjection(),
  ];
  // One resolver with a short cache, one query set per class with their own default resolver (250 ms).
  const active = () => new ActiveGeneration(env.redis, 'hearth:', 50);
  let detailId: string;

  let refs = 0;
  /** The state a fresh runner with the same projections builds from the whole log (keys without the prefix). */
  const referenceState = async (): Promise<Record<string, unknown>> => {
    const prefix = `zref${++refs}:`;
    const r = env.newRunner({ prefix, name: 'reference', projections: [new PetitionProjection({ org }), new AlertProjection({ org, users }), new RepeatPetitionProjection()] });
    r.start();
    await settled(r);
    await r.stop();
    const state = await dumpState(env.redis, prefix);
    await env.redis.eval(`for _, k in ipairs(redis.call('keys', ARGV[1])) do redis.call('del', k) end`, 0, `${prefix}*`);
    state['ckpt:read-models'] = state['ckpt:reference'];
    delete state['ckpt:reference'];
    return withoutPointers(state);
  };
  const generation = async () => (await readModelStatus(env.redis)).generation;
  const settled = async (r: ProjectionRunner = live) => expect(await r.waitFor(await env.store.headPosition(), PATIENCE)).toBe(true);

  beforeAll(async () => {
    env = await setup({ tmpRoot: existsSync('/dev/shm') ? '/dev/shm' : undefined });
    await writeCases(env, CASES);
    // The grace period must outlast the slowest query round (a busy machine stretches those): 4 s.
    const opts = { projections: projections(), idleCheckMs: 100, retireGraceMs: 4000, holdAfterMs: 200 };
    live = env.newRunner({ ...opts, holder: 'live-A' });
    rebuild = env.newRunner({ ...opts, mode: 'rebuild', holder: 'rebuild-A' });
    live.start();
    rebuild.start();
    await settled();
    const first = await new PetitionQueries(env.redis).list({ orgUnit: 'g1', status: 'open', limit: 1 });
    detailId = first.items[0].id;
  }, TEST_TIMEOUT);
  afterAll(() => env.close());
  afterEach(async () => {
    for (const stop of background.splice(0)) await stop();
  });

  it('builds ~20,000 events into generation 1 while queries answer exactly as before, switches, deletes generation 0', async () => {
    expect(await env.store.headPosition()).toBeGreaterThanOrEqual(19_000);
    expect(await generation()).toBe(0);
    const pq = new PetitionQueries(env.redis, active());
    const aq = new AlertQueries(env.redis, active());
    const rq = new RepeatPetitionQueries(env.redis);
    const expected = await answer(pq, aq, rq, detailId);
    // Sanity: the expectation itself is a full build.
    expect(expected.city.received).toBe(CASES);
    expect(expected.city.closed).toBe(CASES / 4);
    expect(expected.open).toBe(CASES - CASES / 4);
    expect(expected.alerts).toBe(CASES / 4);
    expect(expected.repeat).toBeDefined();
    expect(expected.detail.timeline.length).toBeGreaterThan(5);

    const loop = queryLoop(
      () => answer(pq, aq, rq, detailId),
      (got) => (JSON.stringify(got) === JSON.stringify(expected) ? undefined : `differs: ${JSON.stringify(got).slice(0, 300)}`),
    );
    const other = queryLoop(
      () => answer(new PetitionQueries(env.redis), new AlertQueries(env.redis), rq, detailId),
      (got) => (JSON.stringify(got) === JSON.stringify(expected) ? undefined : `differs (default resolver): ${JSON.stringify(got).slice(0, 300)}`),
    );
    // Both loops answer before the rebuild is requested.
    await eventually(async () => Math.min(loop.rounds(), other.rounds()), (n) => n >= 1, PATIENCE);
    const before = loop.rounds();
    const t0 = Date.now();
    const req = await requestGenerationRebuild(env.redis, 'hearth:', 'test');
    expect(req).toMatchObject({ target: 1, active: 0, created: true });
    // Asking again joins the rebuild in progress.
    expect(await requestGenerationRebuild(env.redis)).toMatchObject({ target: 1, created: false });
    await eventually(generation, (g) => g === 1, PATIENCE);
    const switchedAfter = Date.now() - t0;
    const duringBuild = loop.rounds() - before;
    // The old generation disappears after the grace period, while queries go on.
    await eventually(async () => (await keysMatching(env.redis, 'hearth:pet:*')).length + (await keysMatching(env.redis, 'hearth:inbox:*')).length, (n) => n === 0, PATIENCE);
    // The builder counts the purge once it has deleted every key of the old generation (the two above are among them).
    await eventually(async () => rebuild.stats().purged, (n) => n === 1, PATIENCE);
    const afterPurge = Math.min(loop.rounds(), other.rounds());
    await eventually(async () => Math.min(loop.rounds(), other.rounds()), (n) => n >= afterPurge + 3, PATIENCE);
    await loop.stop();
    await other.stop();

    expect(loop.problems).toEqual([]);
    expect(other.problems).toEqual([]);
    // Queries were answered while the build ran (how many depends on the machine's speed: reported, not asserted).
    expect(duringBuild).toBeGreaterThanOrEqual(1);
    expect(rebuild.stats()).toMatchObject({ switches: 1, purged: 1 });
    expect(live.generation()).toBe(1);
    expect(live.position()).toBe(await env.store.headPosition());
    // Nothing of generation 0 is left (only keys outside the read models), and the new one equals a from-scratch build.
    expect((await keysMatching(env.redis, 'hearth:*')).filter((k) => !/^hearth:(g1:|rm:|lease:)/.test(k))).toEqual([]);
    expect(await dumpState(env.redis, 'hearth:g1:')).toEqual(await referenceState());
    expect(await readModelStatus(env.redis)).toEqual({ generation: 1, position: await env.store.headPosition(), retired: [] });
    console.log(`zero-downtime rebuild: ${await env.store.headPosition()} events, switched after ${switchedAfter} ms; ${duringBuild} query rounds meanwhile`);
  }, TEST_TIMEOUT);

  it('appends during the rebuild are not lost; alerts are published and delivered once, never again by the rebuild', async () => {
    const published: Alert[] = [];
    const sub = env.redis.duplicate();
    await sub.subscribe('hearth:alerts');
    sub.on('message', (_ch, msg: string) => published.push(JSON.parse(msg) as Alert));
    delivered.length = 0;
    const pq = new PetitionQueries(env.redis, active());
    const base = (await pq.counters('city')).received;
    let appended = 0;
    let lastReceived = base;
    const loop = queryLoop(
      async () => ({ city: await pq.counters('city') }) as Expected,
      (got) => {
        // Monotonic, and never below what was there before: a half-built generation would show less.
        const problem = got.city.received < lastReceived ? `received went back from ${lastReceived} to ${got.city.received}` : undefined;
        lastReceived = Math.max(lastReceived, got.city.received);
        return problem;
      },
    );
    let appending = true;
    const until = Date.now() + PATIENCE;
    const writer = (async () => {
      for (let i = 0; (appending || i < 50) && Date.now() < until; i++) {
        const id = randomUUID();
        const unit = UNITS[i % UNITS.length];
        // Live events: each raises one escalation alert (a missed deadline of a new case).
        await env.store.append(`petition-${id}`, [registered(id, unit, 100_000 + i, new Date().toISOString()), opened('handling-1', 'handling', unit, '2025-11-30', new Date().toISOString())], 'any');
        await env.store.append(`petition-${id}`, [missed(unit, new Date().toISOString())], 'any');
        appended++;
        await sleep(2);
      }
    })();
    background.push(async () => {
      appending = false;
      await writer;
    });
    // Live appends are flowing before the rebuild starts.
    await eventually(async () => appended, (n) => n >= 5, PATIENCE);
    const req = await requestGenerationRebuild(env.redis);
    expect(req).toMatchObject({ target: 2, active: 1, created: true });
    await eventually(generation, (g) => g === 2, PATIENCE);
    appending = false;
    await writer;
    await settled();
    // The last published messages have arrived (the exact sets are compared below).
    await eventually(async () => published.length, (n) => n >= appended, PATIENCE);
    await loop.stop();
    sub.disconnect();

    expect(loop.problems).toEqual([]);
    expect(appended).toBeGreaterThanOrEqual(50);
    expect((await pq.counters('city')).received).toBe(base + appended);
    expect(await dumpState(env.redis, 'hearth:g2:')).toEqual(await referenceState());
    // One alert per appended case, handed to delivery once and published once (none of the rebuilt history).
    const deliveredIds = delivered.map((a) => a.id);
    expect(deliveredIds).toHaveLength(appended);
    expect(new Set(deliveredIds).size).toBe(appended);
    expect(published.map((a) => a.id).sort()).toEqual([...deliveredIds].sort());
    await eventually(async () => (await keysMatching(env.redis, 'hearth:g1:*')).length, (n) => n === 0, PATIENCE);
  }, TEST_TIMEOUT);

  it('several workers: one builder at a time; a builder that stops half way is taken over from its checkpoint', async () => {
    const other = env.newRunner({ projections: projections(), mode: 'rebuild', holder: 'rebuild-B', idleCheckMs: 100, retireGraceMs: 4000, batchSize: 200 });
    const otherLive = env.newRunner({ projections: projections(), holder: 'live-B', idleCheckMs: 100 });
    other.start();
    otherLive.start();
    // rebuild-A holds the lease: B waits (its stats below show it never built nor fed anything until A stopped).
    expect(other.stats().leader).toBe(false);
    const req = await requestGenerationRebuild(env.redis);
    expect(req.target).toBe(3);
    await eventually(async () => rebuild.stats(), (s) => s.generation === 3 && s.position > 2000, PATIENCE);
    await rebuild.stop();
    const reached = Number(await env.redis.get('hearth:g3:ckpt:read-models'));
    expect(reached).toBeGreaterThan(2000);
    await eventually(generation, (g) => g === 3, PATIENCE);
    expect(other.stats()).toMatchObject({ switches: 1, rebuilds: 0 }); // resumed from A's checkpoint, no purge
    expect(otherLive.stats().batches).toBe(0);
    await settled();
    expect(await dumpState(env.redis, 'hearth:g3:')).toEqual(await referenceState());
    rebuild = other;
  }, TEST_TIMEOUT);

  it('FLUSHALL during a rebuild: the live runner rebuilds by itself, the builder stands down; a later rebuild works', async () => {
    await eventually(async () => (await keysMatching(env.redis, 'hearth:g2:*')).length, (n) => n === 0, PATIENCE);
    const req = await requestGenerationRebuild(env.redis);
    expect(req.target).toBe(4);
    await eventually(async () => rebuild.stats(), (s) => s.generation === 4 && s.position > 1000, PATIENCE);
    const rebuilds = live.stats().rebuilds;
    await env.redis.flushall();
    await eventually(async () => live.stats(), (s) => s.rebuilds > rebuilds && s.generation === 0, PATIENCE);
    await settled();
    await eventually(async () => rebuild.generation(), (g) => g === -1, PATIENCE);
    const pq = new PetitionQueries(env.redis);
    await eventually(async () => (await pq.counters('city')).received, (n) => n > CASES, PATIENCE);
    // Nothing half-built of generation 4 is left behind; generation 0 equals a from-scratch build.
    expect(await keysMatching(env.redis, 'hearth:g*')).toEqual([]);
    expect(withoutPointers(await dumpState(env.redis, 'hearth:'))).toEqual(await referenceState());

    const again = await requestGenerationRebuild(env.redis);
    expect(again).toMatchObject({ target: 1, active: 0 });
    await eventually(generation, (g) => g === 1, PATIENCE);
    await settled();
    expect(await dumpState(env.redis, 'hearth:g1:')).toEqual(await referenceState());
  }, TEST_TIMEOUT);

  it('--drop during a zero-downtime rebuild cancels it and rebuilds the active generation in place', async () => {
    const req = await requestGenerationRebuild(env.redis);
    expect(req.target).toBe(2);
    await eventually(async () => rebuild.stats(), (s) => s.generation === 2 && s.position > 500, PATIENCE);
    const rebuilds = live.stats().rebuilds;
    const removed = await requestRebuild(env.redis);
    expect(removed).toBeGreaterThan(1000);
    expect((await readModelStatus(env.redis)).rebuild).toBeUndefined();
    await eventually(async () => live.stats(), (s) => s.generation === 1 && s.rebuilds > rebuilds, PATIENCE);
    await settled();
    // The cancelled generation's keys are removed (by the builder standing down).
    await eventually(async () => (await keysMatching(env.redis, 'hearth:g2:*')).length, (n) => n === 0, PATIENCE);
    expect(await generation()).toBe(1);
    expect(await dumpState(env.redis, 'hearth:g1:')).toEqual(await referenceState());
  }, TEST_TIMEOUT);
});
