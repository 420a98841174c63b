import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

const DAY = 86_400_000;
const METRICS_TOKEN = 'ops-metrics-token-0123456789';

/**
 * Metrics and access logs after a small load: a petition ignored until its deadline passes (timer fired, alert raised,
 * webhook delivered, alert acknowledged), with tokens sent in every place a token can go.
 */
describe('metrics and access logs (e2e)', () => {
  let h: HearthUnderTest;
  let receiver: Server;
  let dir: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'hearth-ops-'));
    const webhooks = join(dir, 'webhooks.json');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/desk`;
    writeFileSync(webhooks, JSON.stringify({ endpoints: [{ id: 'east-s1-desk', orgUnit: 'east-s1', url, secret: 'desk-secret-0123456789' }] }));
    h = await HearthUnderTest.start({
      separateWorker: false,
      clockSpeed: (4 * DAY) / 1000,
      clockStart: '2025-09-23T09:00:00+08:00',
      clockAnchorDelayMs: 5000,
      env: { HEARTH_LOG_LEVEL: 'info', HEARTH_METRICS_TOKEN: METRICS_TOKEN, HEARTH_WEBHOOKS_FILE: webhooks },
    });
  });
  afterAll(async () => {
    await h?.stop();
    receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const scrape = (token?: string) => fetch(`${h.baseUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('refuses /metrics without the operators token', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('not-the-token-0123456789')).status).toBe(401);
    expect((await scrape(h.token('auditor.city'))).status).toBe(401);
  });

  it('exposes every family after a small load, and logs each request at info without a token or a body', async () => {
    await h.untilAnchor();
    const intake = h.token('intake.east-s1-g1');
    const reg = await h.request('intake.east-s1-g1', 'POST', '/petitions', {
      orgUnit: 'east-s1-g1',
      channel: 'letter',
      category: 'claim',
      subject: '工伤待遇',
      facts: `工伤认定后单位未支付待遇 ${intake}`,
      request: '支付工伤待遇',
      petitioners: [{ name: '孙八' }],
      headcount: 1,
      identityKnown: true,
    }, { 'Idempotency-Key': 'ops-e2e-1', 'X-Correlation-Id': 'corr-ops-1' });
    expect(reg.status).toBe(201);
    const id: string = reg.body.id;
    // A token in every other place it can go: query string, cookie, a refused header, a second header.
    const officer = h.token('officer.east-s1-g1');
    await fetch(`${h.baseUrl}/petitions/${id}?access_token=${officer}`);
    await fetch(`${h.baseUrl}/petitions/${id}`, { headers: { cookie: `token=${officer}`, 'x-api-key': officer } });
    await fetch(`${h.baseUrl}/petitions`, { headers: { authorization: `Bearer ${officer}x` } });
    await fetch(`${h.baseUrl}/petitions/${id}`, { headers: { authorization: `Bearer ${officer}`, 'x-correlation-id': officer } });

    // The acceptance deadline passes ~4 s later: the timer fires, the alert is raised and delivered, then acknowledged.
    const alert = await h.eventually(async () => (await h.request('supervisor.east-s1', 'GET', '/alerts')).body.items?.[0], 30_000, 'the missed-deadline alert');
    const ack = await h.request('supervisor.east-s1', 'POST', `/alerts/${encodeURIComponent(alert.id)}/acknowledgement`, { note: '已督促受理' });
    expect(ack.status).toBe(200);

    const families = [
      /^hearth_command_duration_seconds_bucket\{.*workflow="petition".*command="RegisterPetition".*outcome="ok".*\} [1-9]/m,
      /^hearth_command_duration_seconds_count\{.*command="ExpireDeadline".*\} [1-9]/m,
      /^hearth_events_appended_total\{workflow="petition"\} [1-9]/m,
      /^hearth_subscription_position\{subscription="read-models"\} [0-9]/m,
      /^hearth_subscription_lag_events\{subscription="deadlines"\} [0-9]/m,
      /^hearth_log_head_position [0-9]/m,
      /^hearth_deadline_timer_lateness_seconds_count [1-9]/m,
      /^hearth_deadline_timers_pending [0-9]/m,
      /^hearth_alerts_raised_total [1-9]/m,
      /^hearth_alerts_acknowledged_total [1-9]/m,
      /^hearth_webhook_deliveries_total\{outcome="delivered"\} [1-9]/m,
      /^hearth_sqlite_writer_queue [0-9]/m,
      /^hearth_http_request_duration_seconds_count\{.*route="\/petitions".*\} [1-9]/m,
      /^nodejs_eventloop_lag_seconds [0-9]/m,
      /^process_cpu_user_seconds_total [0-9]/m,
      /^nodejs_heap_size_used_bytes [0-9]/m,
    ];
    const text = await h.eventually(async () => {
      const res = await scrape(METRICS_TOKEN);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const body = await res.text();
      return families.every((f) => f.test(body)) ? body : undefined;
    }, 20_000, 'every metric family').catch(async (err) => {
      const body = await (await scrape(METRICS_TOKEN)).text();
      throw new Error(`${(err as Error).message}\nmissing: ${families.filter((f) => !f.test(body)).join(', ')}`);
    });
    expect(text).not.toContain(id);

    const access = await h.eventually(async () => {
      // Output chunks as the processes wrote them, each tagged with its process: the untagged stream, line by line.
      const lines = h.logs.map((c) => c.replace(/^\[(api|worker)\] /, '')).join('').split('\n').filter((l) => l.includes('"context":"access"'));
      return lines.some((l) => l.includes('"route":"/alerts/:alertId/acknowledgement"')) ? lines : undefined;
    }, 10_000, 'the access log lines');
    const registered = access.map((l) => JSON.parse(l)).find((l) => l.method === 'POST' && l.route === '/petitions');
    expect(registered).toMatchObject({ level: 30, status: 201, userId: 'intake.east-s1-g1', correlationId: 'corr-ops-1' });
    expect(typeof registered.durationMs).toBe('number');
    expect(access.some((l) => l.includes('"status":401'))).toBe(true);
    const everything = h.logs.join('');
    for (const token of [intake, officer, METRICS_TOKEN]) expect(everything).not.toContain(token.slice(-24));
    expect(everything).not.toContain('工伤认定后单位未支付待遇');
    expect(everything).not.toContain('孙八');
  });
});
