import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

/**
 * Issue 11.8: an Idempotency-Key binds to the command whatever ids the client chose. The same key with a
 * client-chosen `petitionId` (another stream) is 422 IDEMPOTENCY_KEY_REUSED and appends nothing; the first body
 * again returns the first result; the log remembers the key across a restart of the api with Redis flushed.
 */
describe('Idempotency-Key with client-chosen ids (secC, issue 11.8)', () => {
  let h: HearthUnderTest;
  const body = {
    orgUnit: 'east-s1-g1',
    channel: 'visit',
    category: 'claim',
    subject: '拖欠加班费',
    facts: '公司三个月未付加班费',
    request: '补发加班费',
    petitioners: [{ name: '钱七' }],
    headcount: 1,
    identityKnown: true,
  };
  const key = { 'Idempotency-Key': 'visit-secC-0001' };

  beforeAll(async () => {
    h = await HearthUnderTest.start({ separateWorker: false });
  }, 60_000);
  afterAll(async () => h?.stop());

  const head = async (): Promise<number> => (await h.request('auditor.city', 'GET', '/audit/integrity')).body.head?.position ?? 0;

  it('refuses the key with another petitionId, replays the first request, and still does after a restart', async () => {
    const first = await h.request('intake.east-s1-g1', 'POST', '/petitions', body, key);
    expect(first.status).toBe(201);
    const id: string = first.body.id;
    const positionAfterFirst = await head();

    const chosen = randomUUID();
    const bypass = await h.request('intake.east-s1-g1', 'POST', '/petitions', { ...body, petitionId: chosen }, key);
    expect(bypass.status).toBe(422);
    expect(bypass.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect((await h.request('intake.east-s1-g1', 'GET', `/petitions/${chosen}/history`)).status).toBe(404);
    expect(await head()).toBe(positionAfterFirst);

    const again = await h.request('intake.east-s1-g1', 'POST', '/petitions', body, key);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id, revision: first.body.revision, replayed: true });

    // The key is the caller's: another intake clerk may use the same key for its own petition.
    const otherClerk = await h.request('intake.east-s1-g2', 'POST', '/petitions', { ...body, orgUnit: 'east-s1-g2', petitionId: chosen }, key);
    expect(otherClerk.status).toBe(201);

    // Durable: the log, not a cache or Redis, remembers the key.
    await h.killApi();
    const redis = new Redis(h.redis.url);
    await redis.flushall();
    redis.disconnect();
    await h.startApi();
    const afterRestart = await h.request('intake.east-s1-g1', 'POST', '/petitions', { ...body, petitionId: randomUUID() }, key);
    expect(afterRestart.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    // A key reused for a command on another case is refused the same way.
    const second = await h.request('intake.east-s1-g1', 'POST', '/petitions', { ...body, subject: '拖欠工资', petitioners: [{ name: '孙八' }] });
    expect(second.status).toBe(201);
    const k2 = { 'Idempotency-Key': 'receipt-secC-1' };
    expect((await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/receipt-notice`, { method: 'sms' }, k2)).status).toBe(200);
    const before = await head();
    const onOther = await h.request('officer.east-s1-g1', 'POST', `/petitions/${second.body.id}/receipt-notice`, { method: 'sms' }, k2);
    expect(onOther.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await head()).toBe(before);
  }, 120_000);
});
