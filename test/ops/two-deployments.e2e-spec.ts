import Redis from 'ioredis';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

const DAY = 86_400_000;
const petition = (name: string) => ({
  orgUnit: 'east-s1-g1',
  channel: 'letter',
  category: 'claim',
  subject: '工伤待遇',
  facts: '工伤认定后单位未支付待遇',
  request: '支付工伤待遇',
  petitioners: [{ name }],
  headcount: 1,
  identityKnown: true,
});

/**
 * Two deployments on one Redis, told apart only by HEARTH_REDIS_PREFIX: each must hold its own scheduler lease and
 * BullMQ queues, so each one's ignored petition gets its deadline timer scheduled and fired (DeadlineMissed).
 * Before the prefix reached the lease and BullMQ, the second deployment's scheduler never got the lease.
 */
describe('two deployments with different prefixes on one Redis (e2e)', () => {
  let a: HearthUnderTest;
  let b: HearthUnderTest;
  let redis: Redis;

  beforeAll(async () => {
    // 4 domain days per real second from 2025-09-23: the 15-day acceptance deadline passes ~4 s after the anchor.
    const clock = { clockSpeed: (4 * DAY) / 1000, clockStart: '2025-09-23T09:00:00+08:00', clockAnchorDelayMs: 6000, separateWorker: false };
    a = await HearthUnderTest.start(clock);
    b = await HearthUnderTest.start({ ...clock, env: { REDIS_URL: a.redis.url, HEARTH_REDIS_PREFIX: 'deploy-b:' } });
    redis = new Redis(a.redis.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await b?.stop();
    await a?.stop();
  });

  it('runs both schedulers: both deadlines fire, each in its own deployment', async () => {
    await a.untilAnchor();
    const ra = await a.request('intake.east-s1-g1', 'POST', '/petitions', petition('赵六'));
    const rb = await b.request('intake.east-s1-g1', 'POST', '/petitions', petition('钱七'));
    expect([ra.status, rb.status]).toEqual([201, 201]);

    const missed = async (h: HearthUnderTest, id: string) =>
      h.eventually(
        async () => {
          const events = (await h.request('auditor.city', 'GET', `/petitions/${id}/history`)).body.events as { type: string; cause?: string }[] | undefined;
          return events?.find((e) => e.type === 'DeadlineMissed');
        },
        45_000,
        `DeadlineMissed of ${id}`,
      );
    const [ma, mb] = await Promise.all([missed(a, ra.body.id), missed(b, rb.body.id)]);
    expect(ma).toMatchObject({ cause: 'timer' });
    expect(mb).toMatchObject({ cause: 'timer' });

    // Each holds its own lease, and every key of B (leases, checkpoints, BullMQ) lies under B's prefix.
    expect(await redis.get('hearth:lease:deadlines')).not.toBeNull();
    expect(await redis.get('deploy-b:lease:deadlines')).not.toBeNull();
    expect(await redis.keys('deploy-b:bull:hearth-deadlines:*')).not.toEqual([]);
    const strays = (await redis.keys('*')).filter((k) => !/^(hearth:|hearth-bull:|deploy-b:)/.test(k));
    expect(strays).toEqual([]);
  });
});
