import { NestFactory } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fundDecider } from '@hearth/domain';
import { COMMAND_RUNNER, CommandRunner, HearthErrorFilter, hearthValidationPipe } from '@hearth/platform';
import { TestRedis } from '@hearth/testing/redis-server';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Issue 11 over HTTP, in process (the real Nest/Fastify app with its embedded worker, a real SQLite log and key
 * store, a real redis-server): the workflow history routes follow the display policy and log every display first;
 * a fund's history shows a unit below the owner only its own draws plus totals; erasure needs four eyes.
 */
const SECRET = 'privacy-read-paths-secret-0123';
const PREFIX = 'privacy-read:';

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
  return { status: res.statusCode, body: json };
}

async function ok(userId: string, method: 'GET' | 'POST', url: string, body?: unknown) {
  const r = await call(userId, method, url, body ?? (method === 'POST' ? {} : undefined));
  if (r.status >= 300) throw new Error(`${method} ${url} as ${userId}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
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

const PETITIONER = { name: '读取测试孙立', phone: '13800005555', idNumber: '110101199105051111' };
const STATS = { membersCount: 2, monthlyIncomeYuan: 1500, rigidExpenses: {}, migrantWorker: false, monthsEmployed: 60 };

beforeAll(async () => {
  redis = await TestRedis.start();
  dataDir = mkdtempSync(join(tmpdir(), 'hearth-privacy-read-'));
  Object.assign(process.env, {
    HEARTH_JWT_SECRET: SECRET,
    HEARTH_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    HEARTH_DATA_DIR: dataDir,
    HEARTH_SQLITE_FILE: join(dataDir, 'hearth.sqlite'),
    HEARTH_KEYS_FILE: join(dataDir, 'keys.sqlite'),
    REDIS_URL: redis.url,
    HEARTH_REDIS_PREFIX: PREFIX,
    HEARTH_EMBEDDED_WORKER: 'true',
    HEARTH_LOG_LEVEL: 'warn',
    HEARTH_CLOCK_START: '2025-09-23T09:00:00+08:00',
  });
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

describe('personal data on the read paths (issue 11)', () => {
  let petitionId = '';
  let subjectId = '';

  it('GET /petitions/{id}/history: masked for intake, auditors and supervisors; the handling officer’s view is logged first', async () => {
    const reg = await ok('intake.east-s1', 'POST', '/petitions', {
      orgUnit: 'east-s1',
      channel: 'letter',
      category: 'claim',
      subject: '读取测试：拖欠工资',
      facts: '某公司拖欠读取测试孙立三个月工资',
      request: '补发',
      petitioners: [PETITIONER],
      headcount: 1,
      identityKnown: true,
    });
    petitionId = reg.id;
    for (const user of ['intake.east-s1', 'auditor.city', 'supervisor.east', 'mediator.east-s1']) {
      const h = await ok(user, 'GET', `/petitions/${petitionId}/history`);
      const text = JSON.stringify(h);
      for (const secret of [PETITIONER.name, PETITIONER.phone, PETITIONER.idNumber]) expect({ user, secret, shown: text.includes(secret) }).toEqual({ user, secret, shown: false });
      expect(h.events[0].data.petitioners[0].name).toMatchObject({ personal: true, role: 'petitioner' });
      subjectId = h.events[0].data.petitioners[0].name.subjectId;
    }
    // The auditor's own log of the subject: nobody has seen anything yet.
    expect((await ok('auditor.city', 'GET', `/privacy/subjects/${subjectId}`)).events).toEqual([]);

    const officer = await ok('officer.east-s1', 'GET', `/petitions/${petitionId}/history`);
    expect(officer.events[0].data.petitioners[0]).toEqual({ name: PETITIONER.name, phone: PETITIONER.phone, idNumber: { personal: true, subjectId, role: 'petitioner' } });
    const log = await ok('auditor.city', 'GET', `/privacy/subjects/${subjectId}`);
    expect(log.events.map((e: any) => [e.type, e.actorId])).toEqual([['PersonalDataRevealed', 'officer.east-s1']]);
    expect(log.events[0].data.fields.map((f: any) => f.path)).toEqual(['/petitioners/0/name', '/petitioners/0/phone']);
    expect(JSON.stringify(log)).not.toContain(PETITIONER.name);

    // Audit exports stay masked for everyone, the officer included.
    const csv = await call('officer.east-s1', 'GET', `/audit/cases/petition/${petitionId}/history?format=csv`);
    expect(csv.status).toBe(200);
    const audit = await ok('officer.east-s1', 'GET', `/audit/cases/petition/${petitionId}/history`);
    expect(JSON.stringify(audit)).not.toContain(PETITIONER.name);
  });

  it('alerts (the inbox, and the same Alert object SSE and webhooks carry) and the case detail hold no personal value', async () => {
    const urgent = await ok('intake.east-s1', 'POST', '/petitions', {
      orgUnit: 'east-s1',
      channel: 'visit',
      category: 'claim',
      subject: '读取测试：紧急',
      facts: `${PETITIONER.name}反映欠薪`,
      request: '补发',
      petitioners: [{ name: '读取测试钱七', phone: '13900007777', idNumber: '110101199206061212' }],
      headcount: 1,
      identityKnown: true,
      urgent: true,
    });
    const alert = await eventually(async () => {
      const inbox = await ok('auditor.city', 'GET', '/alerts');
      return inbox.items?.find((a: any) => a.kind === 'reported' && a.caseId === urgent.id);
    }, 'the reported alert');
    const detail = await ok('officer.east-s1', 'GET', `/petitions/${urgent.id}`);
    for (const doc of [alert, detail]) {
      const text = JSON.stringify(doc);
      for (const secret of ['读取测试钱七', '13900007777', '110101199206061212', PETITIONER.name]) expect(text).not.toContain(secret);
      expect(text).not.toContain('$pii');
    }
  });

  it('a fund’s history: the owner sees every draw; a unit below it only its own draws and the totals', async () => {
    const FUND = `read-fund-${randomUUID().slice(0, 8)}`;
    await ok('head.east', 'POST', '/funds', { fundId: FUND, year: 2025, source: 'government', budgetYuan: 10000, orgUnit: 'east' });
    const fileOf = async (unit: string, idNumber: string) =>
      (await ok(`intake.${unit}`, 'POST', '/hardship-files', { orgUnit: unit, stats: STATS, personal: { headName: `读取测试${unit}`, idNumber, members: [] } })).id as string;
    const mine = await fileOf('east-s1-g1', '110101198001011234');
    const theirs = await fileOf('east-s2-g1', '110101198202023456');
    await eventually(async () => (await call('officer.east-s2-g1', 'GET', `/hardship-files/${theirs}`)).status === 200, 'file read model');
    await eventually(async () => (await call('officer.east-s1-g1', 'GET', `/hardship-files/${mine}`)).status === 200, 'file read model');
    // The draws as the disbursement service makes them (the aid workflow is not the point here).
    const runner = app.get<CommandRunner>(COMMAND_RUNNER);
    const draw = (aidId: string, fileId: string, amountYuan: number, unit: string) =>
      runner.execute(fundDecider, FUND, { type: 'DrawFromFund', aidId, fileId, amountYuan, kind: 'living', month: '2025-10' }, { id: `officer.${unit}`, role: 'officer', orgUnit: unit }, { commandId: randomUUID() });
    await draw('aid-mine', mine, 600, 'east-s1-g1');
    await draw('aid-theirs', theirs, 1400, 'east-s2-g1');
    await eventually(async () => (await ok('head.east', 'GET', `/funds/${FUND}`)).draws === 2, 'fund read model');

    const owner = await ok('head.east', 'GET', `/funds/${FUND}/history`);
    expect(owner.scope).toBe('all');
    expect(owner.events.filter((e: any) => e.type === 'FundDrawn').map((e: any) => e.data.fileId).sort()).toEqual([mine, theirs].sort());

    const below = await ok('head.east-s1-g1', 'GET', `/funds/${FUND}/history`);
    expect(below.scope).toBe('own_draws');
    const draws = below.events.filter((e: any) => e.type === 'FundDrawn');
    expect(draws.map((e: any) => [e.data.fileId, e.data.amountYuan])).toEqual([[mine, 600]]);
    expect(draws[0].data.remainingYuan).toBeUndefined();
    expect(JSON.stringify(below)).not.toContain(theirs);
    expect(below.totals).toEqual({ budgetYuan: 10000, drawnYuan: 2000, remainingYuan: 8000, draws: 2, returns: 0 });
    // The street above the other file sees that one only.
    const street = await ok('officer.east-s2', 'GET', `/funds/${FUND}/history`);
    expect(street.events.filter((e: any) => e.type === 'FundDrawn').map((e: any) => e.data.fileId)).toEqual([theirs]);
    expect((await call('head.west', 'GET', `/funds/${FUND}/history`)).status).toBe(404);
  });

  it('erasure needs a second person of the owning unit’s chain', async () => {
    // A request the chain declines erases nothing, and a new one may follow.
    const first = await ok('supervisor.east', 'POST', `/privacy/subjects/${subjectId}/erasure`, { reason: 'data_subject_request' });
    expect((await call('head.west', 'POST', `/privacy/subjects/${subjectId}/erasure/decline`, { requestId: first.requestId, reason: '核实' })).status).toBe(403);
    expect((await call('head.east-s1', 'POST', `/privacy/subjects/${subjectId}/erasure/decline`, { requestId: first.requestId })).status).toBe(400);
    expect(await ok('head.east-s1', 'POST', `/privacy/subjects/${subjectId}/erasure/decline`, { requestId: first.requestId, reason: '申请人身份无法核实' })).toMatchObject({ status: 'declined' });
    expect((await call('head.city', 'POST', `/privacy/subjects/${subjectId}/erasure/approval`, { requestId: first.requestId })).body.code).toBe('ERASURE_NOT_REQUESTED');
    const asked = await ok('supervisor.east', 'POST', `/privacy/subjects/${subjectId}/erasure`, { reason: 'data_subject_request', reference: 'PIPL-REQ-READ-1' });
    expect(asked).toMatchObject({ status: 'approval_required', requestedBy: 'supervisor.east' });
    // Nothing erased yet: the officer still reads the name.
    expect((await ok('officer.east-s1', 'GET', `/petitions/${petitionId}/history`)).events[0].data.petitioners[0].name).toBe(PETITIONER.name);
    const self = await call('supervisor.east', 'POST', `/privacy/subjects/${subjectId}/erasure/approval`, { requestId: asked.requestId });
    expect([self.status, self.body.code]).toEqual([422, 'FOUR_EYES_REQUIRED']);
    const outside = await call('head.west', 'POST', `/privacy/subjects/${subjectId}/erasure/approval`, { requestId: asked.requestId });
    expect([outside.status, outside.body.code]).toEqual([403, 'OUTSIDE_ORG_SUBTREE']);
    expect((await call('head.east-s1', 'POST', `/privacy/subjects/${subjectId}/erasure/approval`, { requestId: 'not-a-uuid' })).status).toBe(400);
    const done = await ok('head.east-s1', 'POST', `/privacy/subjects/${subjectId}/erasure/approval`, { requestId: asked.requestId });
    expect(done).toMatchObject({ status: 'erased', requestedBy: 'supervisor.east', approvedBy: 'head.east-s1', keysDestroyed: 1 });
    expect((await ok('officer.east-s1', 'GET', `/petitions/${petitionId}/history`)).events[0].data.petitioners[0]).toEqual({ name: '[erased]', phone: '[erased]', idNumber: '[erased]' });
    const log = await ok('auditor.city', 'GET', `/privacy/subjects/${subjectId}`);
    expect(log.events.map((e: any) => e.type)).toEqual(['PersonalDataRevealed', 'ErasureRequested', 'ErasureDeclined', 'ErasureRequested', 'PersonalDataRevealed', 'ErasureApproved', 'SubjectErased']);
  });
});
