import { NestFactory } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import Database from 'better-sqlite3';
import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { petitionDecider } from '@hearth/domain';
import { COMMAND_RUNNER, CommandRunner, HearthErrorFilter, hearthValidationPipe } from '@hearth/platform';
import { TestRedis } from '@hearth/testing/redis-server';
import { cst } from '../../apps/api/src/audit/history-export';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The audit endpoints over HTTP, in process (the real Nest/Fastify app with its embedded worker, a real SQLite log and
 * a real redis-server): history as JSON/CSV/HTML/timeline with scope, roles, masking and redaction; as-of state and
 * read-model row; log integrity before and after tampering with the file.
 * Clock: two domain days per second from Tue 2025-09-23 09:00 CST, so deadline timers fire within seconds.
 */
const DAY = 86_400_000;
const SECRET = 'audit-test-secret-audit-test';
const PREFIX = 'audit-test:';

let redis: TestRedis;
let app: NestFastifyApplication;
let dataDir: string;
const jwt = new JwtService({ secret: SECRET });

const token = (userId: string) => {
  const [role, ...unit] = userId.split('.');
  return jwt.sign({ sub: userId, role, org: unit.join('.') });
};

async function call(userId: string, method: 'GET' | 'POST', url: string, body?: unknown) {
  const res = await app.getHttpAdapter().getInstance().inject({
    method,
    url,
    headers: { authorization: `Bearer ${token(userId)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { payload: JSON.stringify(body) } : {}),
  });
  let json: any;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text: res.body, body: json };
}

async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const petition = (over: Record<string, unknown> = {}) => ({
  orgUnit: 'east-s1',
  channel: 'letter',
  category: 'claim',
  subject: '拖欠工资',
  facts: '拖欠三个月工资',
  request: '补发',
  petitioners: [{ name: '周九', address: '东城区幸福路1号', idNumber: '110101199003071234' }],
  headcount: 1,
  identityKnown: true,
  ...over,
});

beforeAll(async () => {
  redis = await TestRedis.start();
  dataDir = mkdtempSync(join(tmpdir(), 'hearth-audit-'));
  Object.assign(process.env, {
    HEARTH_JWT_SECRET: SECRET,
    HEARTH_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    HEARTH_DATA_DIR: dataDir,
    HEARTH_SQLITE_FILE: join(dataDir, 'hearth.sqlite'),
    REDIS_URL: redis.url,
    HEARTH_REDIS_PREFIX: PREFIX,
    HEARTH_EMBEDDED_WORKER: 'true',
    HEARTH_LOG_LEVEL: 'warn',
    HEARTH_CLOCK_SPEED: String((2 * DAY) / 1000),
    HEARTH_CLOCK_START: '2025-09-23T09:00:00+08:00',
    HEARTH_CLOCK_REAL_START: String(Date.now()),
  });
  // The api's own module, pipes and filter (createApi minus Swagger, whose static-file plugin jest cannot load).
  const { ApiModule } = await import('../../apps/api/src/api.module');
  app = await NestFactory.create<NestFastifyApplication>(ApiModule.register(), new FastifyAdapter(), { logger: ['error'] });
  app.useGlobalPipes(hearthValidationPipe());
  app.useGlobalFilters(new HearthErrorFilter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('audit API', () => {
  let id: string;

  it('history: every event with actor, role, unit, time, cause (command or deadline timer), legal basis; personal data masked', async () => {
    const r = await call('intake.east-s1', 'POST', '/petitions', petition());
    expect(r.status).toBe(201);
    id = r.body.id;
    // A deadline timer fires (the 15-day acceptance notice's ladder) through the scheduler and BullMQ.
    const h = await eventually(async () => {
      const res = await call('auditor.city', 'GET', `/audit/cases/petition/${id}/history`);
      return res.status === 200 && res.body.events.some((e: any) => e.causedBy.kind === 'timer') && res.body;
    }, 'a timer-caused event');
    expect(await call('officer.east-s1', 'POST', `/petitions/${id}/acceptance`, { signedBy: 'head.east-s1' })).toMatchObject({ status: 200 });

    const reg = h.events[0];
    expect(reg).toMatchObject({
      revision: 0,
      type: 'PetitionRegistered',
      actorId: 'intake.east-s1',
      role: 'intake',
      orgUnit: 'east-s1',
      cause: 'RegisterPetition',
      causedBy: { kind: 'command', command: 'RegisterPetition' },
    });
    expect(reg.commandId).toEqual(expect.any(String));
    expect(reg.causationId).toEqual(expect.any(String));
    expect(reg.correlationId).toEqual(expect.any(String));
    const timer = h.events.find((e: any) => e.causedBy.kind === 'timer');
    expect(timer).toMatchObject({ actorId: 'system', role: 'system', cause: 'timer', causedBy: { command: 'ExpireDeadline', deadlineId: expect.any(String), step: expect.any(String) } });
    const opened = h.events.find((e: any) => e.type === 'DeadlineOpened');
    expect(opened.legalBasis).toMatch(/信访工作条例/);
    // Masked, never decrypted: the petitioner appears as a subject placeholder.
    expect(JSON.stringify(h)).not.toMatch(/周九|幸福路|110101199003071234|拖欠三个月工资/);
    expect(JSON.stringify(reg.data.petitioners)).toContain('"personal":true');
    // The workflow's own route still serves the same events.
    const own = await call('auditor.city', 'GET', `/petitions/${id}/history`);
    expect(own.status).toBe(200);
    expect(own.body.events.map((e: any) => e.eventId).slice(0, h.events.length)).toEqual(h.events.map((e: any) => e.eventId));
  });

  it('history: auditors and handlers of the subtree may read; other roles and other subtrees may not', async () => {
    const path = `/audit/cases/petition/${id}/history`;
    const got: Record<string, number> = {};
    for (const u of ['auditor.city', 'auditor.east', 'officer.east-s1', 'head.east-s1', 'supervisor.east', 'head.city', 'auditor.west', 'officer.west', 'officer.east-s1-g1', 'intake.east-s1', 'mediator.east-s1'])
      got[u] = (await call(u, 'GET', path)).status;
    expect(got).toEqual({
      'auditor.city': 200,
      'auditor.east': 200,
      'officer.east-s1': 200,
      'head.east-s1': 200,
      'supervisor.east': 200,
      'head.city': 200,
      'auditor.west': 403,
      'officer.west': 403,
      'officer.east-s1-g1': 403,
      'intake.east-s1': 403,
      'mediator.east-s1': 403,
    });
    expect((await call('officer.west', 'GET', path)).body.code).toBe('OUTSIDE_ORG_SUBTREE');
    expect((await call('intake.east-s1', 'GET', path)).body.code).toBe('ROLE_NOT_ALLOWED');
    expect((await call('auditor.city', 'GET', `/audit/cases/nonsense/${id}/history`)).body.code).toBe('UNKNOWN_WORKFLOW');
    expect((await call('auditor.city', 'GET', `/audit/cases/petition/00000000-0000-4000-8000-000000000000/history`)).body.code).toBe('CASE_NOT_FOUND');
    expect((await call('auditor.city', 'GET', `/audit/cases/petition/${encodeURIComponent('../x')}/history`)).status).toBe(400);
    expect((await call('auditor.city', 'GET', `${path}?format=pdf`)).body.code).toBe('VALIDATION_FAILED');
  });

  it('history exports: CSV with BOM, printable HTML with a strict CSP, a plain-text timeline', async () => {
    const base = `/audit/cases/petition/${id}/history`;
    const json = (await call('auditor.city', 'GET', base)).body;

    const csv = await call('auditor.city', 'GET', `${base}?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="petition-${id}-history.csv"`);
    expect(csv.headers['cache-control']).toBe('no-store');
    expect(csv.text.startsWith('\uFEFFstreamId,revision,')).toBe(true);
    expect(csv.text.split('\r\n').filter((l) => l.startsWith(`petition-${id},`))).toHaveLength(json.events.length);
    expect(csv.text).not.toMatch(/周九|110101199003071234/);

    const html = await call('head.east-s1', 'GET', `${base}?format=html`);
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.text).toContain('<html lang="zh-CN">');
    expect(html.text).toContain('东城区第1街道总工会 (east-s1)');
    expect(html.text).not.toContain('<script');
    expect(html.text).not.toMatch(/周九|110101199003071234/);
    expect(html.text.match(/<tr>/g)).toHaveLength(json.events.length + 1); // + the header row

    const timeline = await call('supervisor.east', 'GET', `${base}?format=timeline`);
    expect(timeline.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(timeline.text).toContain(`${cst(json.events[0].occurredAt)}  #0  PetitionRegistered`);
    expect(timeline.text).toContain('intake.east-s1 · 登记员 (intake) · 东城区第1街道总工会 (east-s1)');
    expect(timeline.text).toContain('起因 期限计时器 timer:');
  });

  it('history of an accusation keeps the accuser from the accused org (the same redaction as the petition route)', async () => {
    const r = await call('intake.east-s1-g1', 'POST', '/petitions', petition({ orgUnit: 'east-s1-g1', category: 'accusation', accusedOrgUnit: 'east-s1', subject: '违规收费', petitioners: [{ name: '吴十', phone: '13700000000' }] }));
    expect(r.status).toBe(201);
    const path = `/audit/cases/petition/${r.body.id}/history`;
    const accused = await call('officer.east-s1', 'GET', path);
    expect(accused.body.accuserRedacted).toBe(true);
    expect(accused.body.events[0].data.petitioners).toEqual([{ redacted: true }]);
    expect(accused.body.events[0].data).not.toHaveProperty('petitionerKeys');
    const html = await call('officer.east-s1', 'GET', `${path}?format=html`);
    expect(html.text).toContain('检举控告人身份信息已隐去');
    expect(html.text).toContain('&#34;redacted&#34;: true');
    expect(html.text).not.toMatch(/吴十|13700000000/);
    const auditor = await call('auditor.city', 'GET', path);
    expect(auditor.body.accuserRedacted).toBeUndefined();
    expect(JSON.stringify(auditor.body.events[0].data.petitioners)).toContain('"personal":true');
  });

  it('as of a revision or a time: the decider state and the read-model row as they were; scratch keys are removed', async () => {
    const base = `/audit/cases/petition/${id}/as-of`;
    const history = (await call('auditor.city', 'GET', `/audit/cases/petition/${id}/history`)).body.events;
    const last = history[history.length - 1];

    const first = await call('auditor.city', 'GET', `${base}?revision=0`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ streamId: `petition-${id}`, revision: 0, currentRevision: last.revision, lastEvent: { type: 'PetitionRegistered' } });
    expect(first.body.state).toMatchObject({ status: 'Registered', orgUnit: 'east-s1' });
    expect(first.body.readModel).toMatchObject({ status: 'Registered', orgUnit: 'east-s1' });

    // The same through a time: just after the registration, before anything else happened.
    const reg = history[0];
    const next = history.find((e: any) => e.occurredAt > reg.occurredAt);
    const at = new Date((Date.parse(reg.occurredAt) + Date.parse(next.occurredAt)) / 2).toISOString();
    const byTime = await call('auditor.city', 'GET', `${base}?at=${encodeURIComponent(at)}`);
    expect(byTime.body.revision).toBe(history.filter((e: any) => e.occurredAt <= at).length - 1);
    expect(byTime.body.state.status).toBe('Registered');

    // Now: the as-of row equals the live read model once the worker has caught up.
    const now = await call('auditor.city', 'GET', `${base}?revision=${last.revision}`);
    expect(now.body.state.status).toBe('Accepted');
    const live = await eventually(async () => {
      const res = await call('auditor.city', 'GET', `/petitions/${id}`);
      return res.status === 200 && res.body.status === 'Accepted' && res.body;
    }, 'the live read model');
    const strip = (row: any) => ({ ...row, overdue: undefined, now: undefined });
    const atNow = await call('auditor.city', 'GET', `${base}?revision=${last.revision}`);
    expect(Object.keys(atNow.body.readModel).sort()).toEqual(Object.keys(live).sort());
    expect(atNow.body.readModel.status).toBe(live.status);
    expect(atNow.body.readModel.deadlines ?? null).toEqual(live.deadlines ?? null);
    expect(strip(atNow.body.readModel).timeline).toEqual(strip(live).timeline);

    // The history's scope: an auditor of another subtree is refused, an unknown case is 404.
    expect(await call('auditor.west', 'GET', `${base}?revision=0`)).toMatchObject({ status: 403, body: { code: 'OUTSIDE_ORG_SUBTREE' } });
    expect(await call('auditor.city', 'GET', `/audit/cases/petition/no-such-case/as-of?revision=0`)).toMatchObject({ status: 404 });

    // Before the case existed: initial state, no row.
    const before = await call('auditor.city', 'GET', `${base}?at=2025-01-01T00:00:00Z`);
    expect(before.body).toMatchObject({ revision: -1, lastEvent: null, readModel: null, state: { status: 'None' } });

    const r = new Redis(redis.url);
    try {
      expect(await r.keys(`${PREFIX}asof:*`)).toEqual([]);
    } finally {
      r.disconnect();
    }

    expect((await call('auditor.city', 'GET', base)).body.code).toBe('VALIDATION_FAILED');
    expect((await call('auditor.city', 'GET', `${base}?at=${encodeURIComponent(at)}&revision=1`)).body.code).toBe('VALIDATION_FAILED');
    expect((await call('auditor.city', 'GET', `${base}?at=yesterday`)).body.code).toBe('VALIDATION_FAILED');
    expect((await call('auditor.city', 'GET', `${base}?revision=9999`)).body.code).toBe('REVISION_NOT_FOUND');
    expect((await call('officer.west', 'GET', `${base}?revision=0`)).status).toBe(403);
  });

  it('a long case: snapshots every 1,000 events; an as-of started from a snapshot equals the full replay', async () => {
    const r = await call('intake.east-s1', 'POST', '/petitions', petition({ subject: '长期跟进案件' }));
    const longId = r.body.id as string;
    expect((await call('officer.east-s1', 'POST', `/petitions/${longId}/acceptance`, { signedBy: 'head.east-s1' })).status).toBe(200);
    expect((await call('officer.east-s1', 'POST', `/petitions/${longId}/handler`, { officerId: 'officer.east-s1' })).status).toBe(200);
    const runner = app.get<CommandRunner>(COMMAND_RUNNER);
    const officer = { id: 'officer.east-s1', role: 'officer', orgUnit: 'east-s1' } as const;
    for (let i = 0; i < 2_100; i++)
      await runner.execute(petitionDecider, longId, { type: 'RecordProgress', note: `第${i + 1}次跟进`, attachments: [] }, officer, { commandId: `long-${longId}-${i}` });
    const base = `/audit/cases/petition/${longId}/as-of`;
    const head = (await call('auditor.city', 'GET', `${base}?revision=0`)).body.currentRevision as number;
    expect(head).toBeGreaterThan(2_000);

    const r2 = new Redis(redis.url);
    const snapshotKeys = () => r2.keys(`${PREFIX}asof-snap:*petition-${longId}*`);
    const dropSnapshots = async () => {
      const ks = await snapshotKeys();
      if (ks.length) await r2.del(...ks);
    };
    // The time of an event in the middle of the second thousand, for an as-of by time.
    const mid = (await call('auditor.city', 'GET', `${base}?revision=1500`)).body.lastEvent.occurredAt as string;
    try {
      for (const point of [`revision=${head}`, 'revision=1999', 'revision=1500', 'revision=999', 'revision=998', `at=${encodeURIComponent(mid)}`]) {
        await dropSnapshots();
        const full = await call('auditor.city', 'GET', `${base}?${point}`);
        expect(full.status).toBe(200);
        const fromSnapshot = await call('auditor.city', 'GET', `${base}?${point}`);
        expect(fromSnapshot.body).toEqual(full.body);
      }
      // The full replay to the head left a snapshot at each thousand: 999 and 1999, plus the index.
      await dropSnapshots();
      await call('auditor.city', 'GET', `${base}?revision=${head}`);
      expect((await snapshotKeys()).map((k) => k.split(':').pop()).sort()).toEqual(['999', '1999', `petition-${longId}`].sort());
      // Served from a snapshot, the scope check still holds.
      expect(await call('auditor.west', 'GET', `${base}?revision=${head}`)).toMatchObject({ status: 403, body: { code: 'OUTSIDE_ORG_SUBTREE' } });
      expect(await r2.keys(`${PREFIX}asof:*`)).toEqual([]);
    } finally {
      r2.disconnect();
    }
  }, 120_000);

  it('generic over workflows: a fund\'s history and its state and read-model row before and after a budget change', async () => {
    const fundId = 'east-2025-audit';
    expect((await call('head.east', 'POST', '/funds', { fundId, year: 2025, source: 'union_dues', budgetYuan: 50000, orgUnit: 'east' })).status).toBe(201);
    expect((await call('head.east', 'POST', `/funds/${fundId}/budget-adjustment`, { budgetYuan: 80000, reason: '追加预算' })).status).toBe(200);
    const h = await call('auditor.east', 'GET', `/audit/cases/fund/${fundId}/history`);
    expect(h.status).toBe(200);
    expect(h.body.events.map((e: any) => e.causedBy.command)).toEqual(['OpenFund', 'AdjustBudget']);
    const before = await call('auditor.east', 'GET', `/audit/cases/fund/${fundId}/as-of?revision=0`);
    const after = await call('auditor.east', 'GET', `/audit/cases/fund/${fundId}/as-of?revision=1`);
    expect(before.body.readModel).toMatchObject({ orgUnit: 'east', budgetYuan: 50000 });
    expect(after.body.readModel).toMatchObject({ orgUnit: 'east', budgetYuan: 80000 });
    expect(before.body.state).not.toEqual(after.body.state);
    expect((await call('auditor.west', 'GET', `/audit/cases/fund/${fundId}/history`)).status).toBe(403);
  });

  it('integrity: city-level auditors only; intact, then the tampered event pinpointed; a kept head is checked', async () => {
    expect((await call('officer.east-s1', 'GET', '/audit/integrity')).status).toBe(403);
    expect((await call('officer.city', 'GET', '/audit/integrity')).status).toBe(403);
    // The report names streams of every unit: a district auditor may not ask (issue 11).
    const district = await call('auditor.east', 'GET', '/audit/integrity');
    expect([district.status, district.body.code]).toEqual([403, 'INTEGRITY_CITY_AUDITORS_ONLY']);
    const ok = await call('auditor.city', 'GET', '/audit/integrity');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, checkedAgainstHead: false });
    expect(ok.body.checkedEvents).toBeGreaterThan(3);
    const head = ok.body.head;
    const withHead = await call('auditor.city', 'GET', `/audit/integrity?headPosition=${head.position}&headHash=${head.logHash}`);
    expect(withHead.body).toMatchObject({ ok: true, checkedAgainstHead: true });
    expect((await call('auditor.city', 'GET', `/audit/integrity?headPosition=${head.position}`)).body.code).toBe('VALIDATION_FAILED');

    // Someone with access to the file rewrites who registered the case.
    const db = new Database(process.env.HEARTH_SQLITE_FILE!);
    const target = db.prepare("SELECT position, stream_id, revision FROM events WHERE stream_id = ? AND revision = 0").get(`petition-${id}`) as any;
    db.prepare("UPDATE events SET metadata = json_set(metadata, '$.actorId', 'head.city') WHERE position = ?").run(target.position);
    db.close();
    const broken = await call('auditor.city', 'GET', '/audit/integrity');
    expect(broken.body).toMatchObject({ ok: false, break: { kind: 'edited', position: target.position, streamId: `petition-${id}`, revision: 0 } });
  });
});
