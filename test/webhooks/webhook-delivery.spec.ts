import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { Alert } from '@hearth/read-models';
import { OrgDirectory } from '@hearth/domain';
import { WebhookDelivery, webhookJobId, webhookSettingsFromEnv, type WebhookSettings } from '@hearth/platform/webhooks';
import { TestRedis } from '../support/redis-server';

const org = new OrgDirectory([
  { id: 'city', name: 'c', level: 1 },
  { id: 'east', name: 'e', level: 2, parentId: 'city' },
  { id: 'east-s1', name: 's', level: 3, parentId: 'east' },
  { id: 'west', name: 'w', level: 2, parentId: 'city' },
]);

interface Received {
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on 127.0.0.1 answering 500 to its first `failFirst` requests, then 200. */
async function receiver(failFirst: number): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ at: Date.now(), headers: req.headers, body });
      res.statusCode = got.length <= failFirst ? 500 : 200;
      res.end(res.statusCode === 200 ? 'ok' : 'try again');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

const alert = (id: string, targetOrgUnit: string, kind: Alert['kind'] = 'missed'): Alert => ({
  id,
  kind,
  streamId: 'petition-x',
  workflow: 'petition',
  caseId: 'x',
  deadlineId: 'acceptance-1',
  deadlineKind: 'acceptance',
  level: 1,
  dueAt: '2025-10-09T16:00:00.000Z',
  missedAt: '2025-10-09T16:00:00.000Z',
  raisedAt: '2025-10-09T16:00:00.000Z',
  ownerOrgUnit: 'east-s1-g1',
  targetOrgUnit,
  targetRole: 'supervisor',
  recipients: ['supervisor.east-s1'],
  status: 'open',
  updatedAt: '2025-10-09T16:00:00.000Z',
});

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('webhook delivery (BullMQ, retries with exponential backoff, HMAC signature, status recorded)', () => {
  let redisServer: TestRedis;
  let redis: Redis;
  const open: Array<{ close(): unknown }> = [];

  const delivery = (settings: Partial<WebhookSettings> & Pick<WebhookSettings, 'endpoints'>) => {
    const d = new WebhookDelivery({
      settings: { attempts: 4, backoffMs: 150, timeoutMs: 2000, queueName: 'hearth-webhooks', ...settings },
      redis,
      connection: { host: '127.0.0.1', port: redisServer.port },
      isWithin: (u, a) => org.isWithin(u, a),
      logger: { warn: () => undefined, error: () => undefined },
    });
    open.push(d);
    return d;
  };

  beforeAll(async () => {
    redisServer = await TestRedis.start();
    redis = new Redis(redisServer.url);
  });
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
    await redis.flushall();
  });
  afterAll(async () => {
    redis.disconnect();
    await redisServer.stop();
  });

  it('retries a failing endpoint with exponential backoff until it answers 2xx, signs every attempt, records the status; a replay delivers nothing again', async () => {
    const r = await receiver(2);
    open.push({ close: () => r.server.close() });
    const secret = 'east-s1-secret-0123456789';
    const d = delivery({ endpoints: [{ id: 'east-s1-desk', orgUnit: 'east-s1', scope: 'unit', url: r.url, secret }] });
    d.start();
    const a = alert('petition-x.acceptance-1.L1', 'east-s1');
    await d.enqueue([a]);
    expect(await d.status(a.id)).toMatchObject([{ endpointId: 'east-s1-desk', status: expect.stringMatching(/pending|retrying|delivered/) }]);

    await waitFor('delivered', async () => (await d.status(a.id))[0]?.status === 'delivered');
    expect(r.got).toHaveLength(3);
    // Backoff 150 ms, then 300 ms.
    expect(r.got[1].at - r.got[0].at).toBeGreaterThanOrEqual(140);
    expect(r.got[2].at - r.got[1].at).toBeGreaterThanOrEqual(290);
    for (const [i, g] of r.got.entries()) {
      expect(g.headers['x-hearth-alert-id']).toBe(a.id);
      expect(g.headers['x-hearth-endpoint']).toBe('east-s1-desk');
      expect(g.headers['x-hearth-attempt']).toBe(String(i + 1));
      expect(g.headers['content-type']).toBe('application/json');
      const ts = String(g.headers['x-hearth-timestamp']);
      expect(g.headers['x-hearth-signature']).toBe(`sha256=${createHmac('sha256', secret).update(`${ts}.${g.body}`).digest('hex')}`);
      expect(JSON.parse(g.body)).toEqual({ alert: a });
    }
    // A wrong secret gives another signature (the receiver can tell).
    expect(r.got[0].headers['x-hearth-signature']).not.toBe(`sha256=${createHmac('sha256', 'other').update(`${String(r.got[0].headers['x-hearth-timestamp'])}.${r.got[0].body}`).digest('hex')}`);
    expect(await d.status(a.id)).toEqual([
      { endpointId: 'east-s1-desk', status: 'delivered', attempts: 3, lastStatusCode: 200, updatedAt: expect.any(String), deliveredAt: expect.any(String) },
    ]);

    // The alerts batch replayed (crash before its checkpoint): same job id, kept as completed → not delivered again.
    await d.enqueue([a]);
    await new Promise((res) => setTimeout(res, 500));
    expect(r.got).toHaveLength(3);
    expect((await d.status(a.id))[0].status).toBe('delivered');
    expect(await d.queue.getJobState(webhookJobId('east-s1-desk', a.id))).toBe('completed');
  });

  it('gives up after the configured attempts and records the failure; the job is kept for inspection', async () => {
    const r = await receiver(100);
    open.push({ close: () => r.server.close() });
    const d = delivery({ attempts: 3, backoffMs: 50, endpoints: [{ id: 'desk', orgUnit: 'east', scope: 'unit', url: r.url, secret: 'x'.repeat(20) }] });
    d.start();
    const a = alert('petition-x.acceptance-1.L2', 'east', 'escalated');
    await d.enqueue([a]);
    await waitFor('failed', async () => (await d.status(a.id))[0]?.status === 'failed');
    expect(r.got).toHaveLength(3);
    expect(await d.status(a.id)).toEqual([
      { endpointId: 'desk', status: 'failed', attempts: 3, lastStatusCode: 500, lastError: 'HTTP 500', updatedAt: expect.any(String) },
    ]);
    expect(await d.queue.getJobState(webhookJobId('desk', a.id))).toBe('failed');
  });

  it('routes by org unit: the unit itself, or its subtree; optionally only some kinds; nothing else', async () => {
    const d = delivery({
      endpoints: [
        { id: 'unit-only', orgUnit: 'east', scope: 'unit', url: 'http://127.0.0.1:1/x', secret: 'x'.repeat(20) },
        { id: 'subtree', orgUnit: 'east', scope: 'subtree', url: 'http://127.0.0.1:1/y', secret: 'x'.repeat(20), kinds: ['missed', 'escalated'] },
      ],
    });
    const ep = (a: Alert) => d.endpointsFor(a).map((e) => e.id);
    expect(ep(alert('a', 'east'))).toEqual(['unit-only', 'subtree']);
    expect(ep(alert('b', 'east-s1'))).toEqual(['subtree']);
    expect(ep(alert('c', 'east-s1', 'approaching'))).toEqual([]);
    expect(ep(alert('d', 'west'))).toEqual([]);
    expect(ep(alert('e', 'city'))).toEqual([]);
    // Nothing to deliver: nothing queued.
    await d.enqueue([alert('d', 'west')]);
    expect(await d.queue.getJobCounts('waiting', 'delayed', 'active')).toMatchObject({ waiting: 0, delayed: 0, active: 0 });
  });

  it('reads endpoints and secrets from the configuration file and the environment, refusing bad entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-wh-'));
    try {
      const file = join(dir, 'webhooks.json');
      const write = (endpoints: unknown[]) => writeFileSync(file, JSON.stringify({ attempts: 5, backoffMs: 100, endpoints }));
      write([{ id: 'east-desk', orgUnit: 'east', url: 'https://duty.example/h', secretEnv: 'EAST_SECRET', scope: 'subtree' }]);
      const env = { HEARTH_WEBHOOKS_FILE: file, EAST_SECRET: 's'.repeat(32) };
      const known = (u: string) => org.has(u);
      expect(webhookSettingsFromEnv(env, known)).toEqual({
        attempts: 5,
        backoffMs: 100,
        timeoutMs: 10_000,
        queueName: 'hearth-webhooks',
        endpoints: [{ id: 'east-desk', orgUnit: 'east', scope: 'subtree', url: 'https://duty.example/h', secret: 's'.repeat(32) }],
      });
      expect(() => webhookSettingsFromEnv({ HEARTH_WEBHOOKS_FILE: file }, known)).toThrow(/secret/);
      write([{ id: 'x', orgUnit: 'nowhere', url: 'https://a/b', secret: 's'.repeat(20) }]);
      expect(() => webhookSettingsFromEnv(env, known)).toThrow(/unknown org unit/);
      write([{ id: 'x', orgUnit: 'east', url: 'ftp://a/b', secret: 's'.repeat(20) }]);
      expect(() => webhookSettingsFromEnv(env, known)).toThrow(/http/);
      expect(webhookSettingsFromEnv({ HEARTH_WEBHOOKS_FILE: join(dir, 'none.json') }, known).endpoints).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
