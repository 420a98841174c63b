import { HearthUnderTest } from '@hearth/testing/hearth-process';

/** A probe that hangs fails the test (the old /health took 9 s with Redis down); the bound is generous, not a measurement. */
const probe = async (h: HearthUnderTest, path: string) => {
  const res = await fetch(`${h.baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

describe('health: live and ready (e2e)', () => {
  let h: HearthUnderTest;

  beforeAll(async () => {
    h = await HearthUnderTest.start({ separateWorker: false });
  });
  afterAll(async () => h?.stop());

  it('is ready with every part up, and live', async () => {
    const ready = await h.eventually(async () => {
      const r = await probe(h, '/health/ready');
      return r.status === 200 ? r : undefined;
    });
    expect(ready.body).toMatchObject({ status: 'ok', redis: 'up', checks: { eventStore: { status: 'up', writable: true }, redis: { status: 'up' }, subscriptions: { status: 'up' } } });
    expect(await probe(h, '/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await probe(h, '/health')).body).toMatchObject({ status: 'ok', eventStore: { kind: 'sqlite' } });
  });

  it('answers 503 naming Redis within seconds of Redis stopping, and 200 again after it restarts', async () => {
    await h.redis.kill();
    const down = await h.eventually(
      async () => {
        const r = await probe(h, '/health/ready');
        return r.status === 503 ? r : undefined;
      },
      10_000,
      'ready to turn 503',
    );
    expect(down.body).toMatchObject({ statusCode: 503, code: 'NOT_READY', failing: { redis: { status: 'down' } } });
    expect(down.body.message).toContain('redis');
    // The event store is still fine, and the body says so.
    expect(down.body.checks.eventStore.status).toBe('up');
    // Liveness does not depend on Redis; the old probe stays 200 and says degraded.
    expect((await probe(h, '/health/live')).status).toBe(200);
    expect(await probe(h, '/health')).toMatchObject({ status: 200, body: { status: 'degraded', redis: 'down' } });

    await h.redis.restart();
    const up = await h.eventually(
      async () => {
        const r = await probe(h, '/health/ready');
        return r.status === 200 ? r : undefined;
      },
      30_000,
      'ready to turn 200 again',
    );
    expect(up.body.checks.redis.status).toBe('up');
  });
});
