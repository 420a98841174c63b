import { freePort } from '@hearth/testing/redis-server';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

const TOKEN = 'worker-metrics-token-0123456789';

/** The separate worker has no api: its metrics (timers, alerts, webhooks) are served on HEARTH_WORKER_METRICS_PORT. */
describe('metrics of a separate worker (e2e)', () => {
  let h: HearthUnderTest;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/metrics`;
    h = await HearthUnderTest.start({ separateWorker: true, env: { HEARTH_METRICS_TOKEN: TOKEN, HEARTH_WORKER_METRICS_PORT: String(port) } });
  });
  afterAll(async () => h?.stop());

  it('serves the worker families behind the operators token', async () => {
    const res = await h.eventually(async () => fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } }).catch(() => undefined), 30_000, 'the worker metrics port');
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const family of ['hearth_deadline_timer_lateness_seconds', 'hearth_alerts_raised_total', 'hearth_webhook_deliveries_total', 'hearth_subscription_lag_events', 'nodejs_eventloop_lag_seconds'])
      expect(text).toContain(`# TYPE ${family}`);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
  });
});
