import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { HearthUnderTest } from '@hearth/testing/hearth-process';
import { TestPostgres } from '@hearth/testing/postgres-server';

/**
 * "Nothing lost": kill the worker mid-work, flush Redis, kill Redis itself, kill the api — after restarts every
 * event, read model and pending deadline is back, rebuilt from the log.
 */
describe.each(['sqlite', 'postgres'] as const)('crash and flush recovery, log and keys on %s (e2e)', (store) => {
  let h: HearthUnderTest;
  let pg: TestPostgres | undefined;
  let queue: Queue;
  let redis: Redis;

  const petition = (i: number) => ({
    orgUnit: i % 2 ? 'east-s1-g1' : 'west-s2-g2',
    channel: (['online', 'letter', 'visit', 'hotline'] as const)[i % 4],
    category: 'claim',
    subject: `欠薪 ${i}`,
    facts: '拖欠工资',
    request: '补发',
    petitioners: [{ name: `工人${i}` }],
    headcount: 1,
    identityKnown: true,
  });
  const officerOf = (i: number) => (i % 2 ? 'officer.east-s1-g1' : 'officer.west-s2-g2');
  const headOf = (i: number) => (i % 2 ? 'head.east-s1-g1' : 'head.west-s2-g2');

  const delayed = () => queue.getDelayedCount();
  const snapshot = async () => ({
    stats: (await h.request('head.city', 'GET', '/petitions/stats')).body,
    list: (await h.request('officer.city', 'GET', '/petitions?limit=200&sort=received&order=asc')).body.items.map(
      (p: { id: string; status: string; nextDueAt?: string }) => `${p.id}:${p.status}:${p.nextDueAt}`,
    ),
  });

  beforeAll(async () => {
    // PostgreSQL: a private cluster of this test; the log and the key store both go there (HEARTH_POSTGRES_URL).
    if (store === 'postgres') pg = await TestPostgres.start();
    h = await HearthUnderTest.start({ clockSpeed: 1, env: pg ? { HEARTH_POSTGRES_URL: pg.url } : {} });
    redis = new Redis(h.redis.url, { maxRetriesPerRequest: null });
    queue = new Queue('hearth-deadlines', { connection: { host: '127.0.0.1', port: h.redis.port, maxRetriesPerRequest: null }, prefix: 'hearth-bull' });
  });
  afterAll(async () => {
    await queue?.close().catch(() => undefined);
    redis?.disconnect();
    await h?.stop();
    await pg?.stop();
  });

  it('gets every read model and pending deadline back after kill -9 of the worker, FLUSHALL, kill -9 of Redis and of the api', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await h.request(`intake.${petition(i).orgUnit}`, 'POST', '/petitions', petition(i))).body.id);
    for (let i = 0; i < 10; i++) expect((await h.request(officerOf(i), 'POST', `/petitions/${ids[i]}/acceptance`, { signedBy: headOf(i) })).status).toBe(200);
    // 20 acceptance deadlines still open + 10 handling deadlines.
    await h.eventually(async () => (await delayed()) === 30, 15_000, '30 pending deadline timers');
    // The acceptances were appended after every registration, so wait for them, not only for `received`.
    await h.eventually(async () => {
      const { stats } = await snapshot();
      return stats.received === 30 && stats.accepted === 10;
    }, 15_000, 'read models');
    const before = await snapshot();
    expect(before.stats).toMatchObject({ received: 30, accepted: 10 });

    // Kill the worker while commands keep coming, then flush Redis entirely.
    const more = (async () => {
      for (let i = 30; i < 50; i++) ids.push((await h.request(`intake.${petition(i).orgUnit}`, 'POST', '/petitions', petition(i))).body.id);
    })();
    await new Promise((r) => setTimeout(r, 50));
    await h.killWorker();
    await more;
    await redis.flushall();
    expect(await delayed()).toBe(0);
    await h.startWorker();

    await h.eventually(async () => (await delayed()) === 50, 20_000, '50 pending deadline timers after the flush');
    const after = await h.eventually(async () => {
      const s = await snapshot();
      return s.stats.received === 50 ? s : undefined;
    }, 20_000, 'read models rebuilt');
    expect(after.stats).toMatchObject({ received: 50, accepted: 10, acceptedOnTime: 10 });
    expect(after.list.slice(0, 30)).toEqual(before.list);

    // Redis itself dies (kill -9) and comes back empty: both processes reconnect and rebuild.
    await h.redis.restart();
    await h.eventually(async () => (await delayed().catch(() => -1)) === 50, 30_000, 'pending deadlines after a Redis crash');
    await h.eventually(async () => (await snapshot()).stats.received === 50, 30_000, 'read models after a Redis crash');

    // The api dies too; the log (SQLite: WAL, synchronous=FULL; PostgreSQL: fsync on) keeps every event.
    await h.killApi();
    await h.startApi();
    const history = (await h.request('auditor.city', 'GET', `/petitions/${ids[3]}/history`)).body;
    expect(history.events.map((e: { type: string }) => e.type)).toEqual(['PetitionRegistered', 'DeadlineOpened', 'PetitionAccepted', 'DeadlineMet', 'DeadlineOpened']);
    const again = await snapshot();
    expect(again.stats).toEqual(after.stats);
    expect(again.list).toEqual(after.list);

    if (!pg) return;
    // PostgreSQL itself crashes (kill -9) and recovers from its WAL: the api answers again by itself, nothing lost.
    await pg.kill();
    await pg.resume();
    const next = await h.eventually(async () => {
      const r = await h.request(`intake.${petition(50).orgUnit}`, 'POST', '/petitions', petition(50), { 'Idempotency-Key': 'after-db-crash' });
      return r.status === 201 || r.status === 200 ? r.body.id : undefined;
    }, 60_000, 'a command after the database crash');
    ids.push(next);
    await h.eventually(async () => (await snapshot()).stats.received === 51, 30_000, 'read models after the database crash');
    expect((await h.request('auditor.city', 'GET', `/petitions/${ids[3]}/history`)).body.events).toHaveLength(5);
  });
});
