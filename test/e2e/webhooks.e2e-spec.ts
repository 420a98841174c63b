import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HearthUnderTest } from '@hearth/testing/hearth-process';


interface Hit {
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on 127.0.0.1 that answers 503 to its first `failFirst` requests. */
async function receiver(failFirst: number): Promise<{ server: Server; url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ at: Date.now(), headers: req.headers, body });
      res.statusCode = hits.length <= failFirst ? 503 : 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hearth`, hits };
}

const verify = (secret: string, hit: Hit): boolean =>
  hit.headers['x-hearth-signature'] === `sha256=${createHmac('sha256', secret).update(`${String(hit.headers['x-hearth-timestamp'])}.${hit.body}`).digest('hex')}`;

/**
 * Webhooks end to end: the street union's duty desk (an HTTP server in this test) fails the first two deliveries of
 * the missed-deadline alert and gets it on the third, signed; the district's desk, configured for its whole subtree
 * but only for 督办-level escalations, gets the second-level escalation and nothing else. The status is recorded.
 */
describe('webhook delivery with retries (e2e)', () => {
  let h: HearthUnderTest;
  let street: Awaited<ReturnType<typeof receiver>>;
  let district: Awaited<ReturnType<typeof receiver>>;
  let dir: string;
  const streetSecret = 'street-desk-secret-0123456789';
  const districtSecret = 'district-desk-secret-0123456789';

  beforeAll(async () => {
    street = await receiver(2);
    district = await receiver(0);
    dir = mkdtempSync(join(tmpdir(), 'hearth-wh-e2e-'));
    const file = join(dir, 'webhooks.json');
    writeFileSync(
      file,
      JSON.stringify({
        attempts: 5,
        backoffMs: 300,
        endpoints: [
          { id: 'east-s1-desk', orgUnit: 'east-s1', url: street.url, secretEnv: 'E2E_STREET_SECRET' },
          { id: 'east-desk', orgUnit: 'east', scope: 'subtree', kinds: ['escalated'], url: district.url, secretEnv: 'E2E_DISTRICT_SECRET' },
        ],
      }),
    );
    h = await HearthUnderTest.start({
      controlledClock: true,
      clockStart: '2025-09-23T09:00:00+08:00',
      env: { HEARTH_WEBHOOKS_FILE: file, E2E_STREET_SECRET: streetSecret, E2E_DISTRICT_SECRET: districtSecret },
    });
   }, 180_000);
  afterAll(async () => {
    await h?.stop();
    street?.server.close();
    district?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('retries the failing endpoint with backoff, signs each attempt, records delivery; routes by unit, subtree and kind', async () => {
    const reg = await h.request('intake.east-s1-g1', 'POST', '/petitions', {
      orgUnit: 'east-s1-g1',
      channel: 'online',
      category: 'claim',
      subject: '拖欠工资',
      facts: '拖欠两个月工资',
      request: '补发',
      petitioners: [{ name: '孙八', contact: '13900000000' }],
      headcount: 1,
      identityKnown: true,
    });
    expect(reg.status).toBe(201);
    const id: string = reg.body.id;

    // Missed on 10/10 00:00 CST (the clock is moved there), delivered at the third attempt (backoff 0.3 s, 0.6 s).
    await h.advanceClock('2025-10-10T00:00:00+08:00');
    await h.eventually(async () => street.hits.length >= 3, 60_000, 'three delivery attempts to the street desk');
    const alertId = `petition-${id}.acceptance-1.L1`;
    expect(street.hits.map((x) => [x.headers['x-hearth-alert-id'], x.headers['x-hearth-attempt']])).toEqual([
      [alertId, '1'],
      [alertId, '2'],
      [alertId, '3'],
    ]);
    expect(street.hits[1].at - street.hits[0].at).toBeGreaterThanOrEqual(280);
    expect(street.hits[2].at - street.hits[1].at).toBeGreaterThanOrEqual(580);
    expect(street.hits.every((x) => verify(streetSecret, x) && !verify(districtSecret, x))).toBe(true);
    const body = JSON.parse(street.hits[2].body);
    expect(body.alert).toMatchObject({ id: alertId, kind: 'missed', level: 1, targetOrgUnit: 'east-s1', caseId: id, recipients: ['supervisor.east-s1'] });
    // No personal data travels.
    expect(street.hits[2].body).not.toMatch(/孙八|13900000000/);

    const status = await h.eventually(async () => {
      const r = await h.request('supervisor.east-s1', 'GET', `/alerts/${encodeURIComponent(alertId)}/deliveries`);
      return r.body.deliveries?.[0]?.status === 'delivered' ? r.body : undefined;
    });
    expect(status.deliveries).toEqual([expect.objectContaining({ endpointId: 'east-s1-desk', status: 'delivered', attempts: 3, lastStatusCode: 204 })]);
    expect((await h.request('supervisor.west', 'GET', `/alerts/${encodeURIComponent(alertId)}/deliveries`)).status).toBe(403);
    expect((await h.request('officer.east-s1-g1', 'GET', `/alerts/${encodeURIComponent(alertId)}/deliveries`)).status).toBe(403);

    // The district desk: its subtree's escalations only (10/16 00:00 CST), not the street-level 催办 (its deliveries
    // above name the street desk alone) nor reminders.
    expect(district.hits).toEqual([]);
    await h.advanceClock('2025-10-16T00:00:00+08:00');
    await h.eventually(async () => district.hits.length >= 1, 60_000, 'the second-level escalation at the district desk');
    const l2 = `petition-${id}.acceptance-1.L2`;
    const l2Status = await h.eventually(async () => {
      const r = await h.request('supervisor.east', 'GET', `/alerts/${encodeURIComponent(l2)}/deliveries`);
      return r.body.deliveries?.length && r.body.deliveries.every((d: { status: string }) => d.status === 'delivered') ? r.body : undefined;
    }, 60_000, 'the second-level escalation delivered');
    // Planned for the district desk only, and delivered there once.
    expect(l2Status.deliveries).toEqual([expect.objectContaining({ endpointId: 'east-desk', status: 'delivered', attempts: 1 })]);
    expect(district.hits.map((x) => x.headers['x-hearth-alert-id'])).toEqual([l2]);
    expect(verify(districtSecret, district.hits[0])).toBe(true);
    // Delivered once: the street desk got no more than its three attempts.
    expect(street.hits).toHaveLength(3);
  }, 300_000);
});
