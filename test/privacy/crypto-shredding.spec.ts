import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import Redis from 'ioredis';
import { Actor, DomainError, hardshipFileDecider, subjectDecider, HouseholdPersonal, HouseholdStats, mediationDecider, PetitionCommand, petitionDecider } from '@hearth/domain';
import type { AppendResult, EventStore, NewEvent } from '@hearth/event-store';
import { BLIND_INDEX_SCOPES, ERASED, hardshipFileIdFor, personSubjectId, petitionerKey } from '@hearth/platform/pii';
import { ProjectionRunner, RepeatPetitionProjection, RepeatPetitionQueries, silentLogger } from '@hearth/read-models';
import { TestRedis } from '@hearth/testing/redis-server';
import { PrivacyService, subjectStream } from '../../apps/api/src/privacy/privacy.service';
import { resolveHardshipFile } from '../../apps/api/src/hardship/blind-index';
import { BLIND_KEY, PrivacyEnv, setupPrivacy, setupPrivacy as setupEnv, who } from './support';

/* eslint-disable @typescript-eslint/no-explicit-any */

// One person (王小明, by ID number) is a petitioner AND the head of a hardship household: one subject, two cases.
const WANG = { name: '王小明', phone: '13812345678', email: 'wxm@example.cn', idNumber: '110101199003071234', address: '东城区幸福路1号院' };
const LI = { name: '李秀英', phone: '13987654321' };
const ZHAO = { workerId: 'w1', name: '赵建国', idNumber: '110101198502023456', phone: '13700001111', migrantWorker: true };
const EMPLOYER = { name: '东城鸿运建筑劳务有限公司', creditCode: '91110101MA01234567' };
const HOUSEHOLD: HouseholdPersonal = {
  headName: WANG.name,
  idNumber: WANG.idNumber,
  phone: WANG.phone,
  address: '东城区和平里七区3号楼2单元',
  bankAccount: '6217000000123456789',
  members: [{ name: '周桂兰', relation: 'spouse', age: 52, idNumber: '110101197301019876', healthNotes: '肝硬化晚期' }],
  employer: '东城纺织厂',
  situation: '配偶重病，子女上学',
};
const STATS: HouseholdStats = { membersCount: 3, monthlyIncomeYuan: 3000, rigidExpenses: { medicalYuan: 800 }, migrantWorker: false, monthsEmployed: 60 };
const SUBJECT = '拖欠工资三个月';
const FACTS = '东城鸿运建筑劳务有限公司拖欠王小明工资三个月';

const SECRETS = [
  WANG.name,
  WANG.phone,
  WANG.email,
  WANG.idNumber,
  WANG.address,
  LI.name,
  LI.phone,
  ZHAO.name,
  ZHAO.idNumber,
  ZHAO.phone,
  EMPLOYER.name,
  HOUSEHOLD.address!,
  HOUSEHOLD.bankAccount!,
  HOUSEHOLD.members[0].name,
  HOUSEHOLD.members[0].idNumber!,
  HOUSEHOLD.members[0].healthNotes!,
  HOUSEHOLD.situation!,
  FACTS,
];

const meta = () => ({ commandId: randomUUID() });
const petitionId = randomUUID();
const mediationId = randomUUID();
const fileId = hardshipFileIdFor(WANG.idNumber, BLIND_KEY);
const wangSubject = personSubjectId(WANG.idNumber, BLIND_KEY);

const register = (id: string, petitioners: object[], idNumber = WANG.idNumber): PetitionCommand => ({
  type: 'RegisterPetition',
  petitionId: id,
  orgUnit: 'east-s1',
  channel: 'letter',
  category: 'claim',
  subject: SUBJECT,
  facts: FACTS,
  request: '补发工资',
  petitioners: petitioners as never,
  headcount: petitioners.length,
  identityKnown: true,
  petitionerKeys: [petitionerKey(idNumber, BLIND_KEY)],
});

/** An EventStore that refuses to append PersonalDataRevealed (to prove the reveal is logged before plaintext leaves). */
class RefusingStore implements EventStore {
  constructor(private readonly inner: EventStore) {}
  append(streamId: string, events: readonly NewEvent[], expected: any): Promise<AppendResult> {
    if (events.some((e) => e.type === 'PersonalDataRevealed')) return Promise.reject(new Error('log unavailable'));
    return this.inner.append(streamId, events, expected);
  }
  readStream = (...a: Parameters<EventStore['readStream']>) => this.inner.readStream(...a);
  readAll = (...a: Parameters<EventStore['readAll']>) => this.inner.readAll(...a);
  subscribeToAll = (...a: Parameters<EventStore['subscribeToAll']>) => this.inner.subscribeToAll(...a);
  headPosition = () => this.inner.headPosition();
  close = () => this.inner.close();
}

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof DomainError ? err.code : `error: ${(err as Error).message}`;
  }
};

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('crypto-shredding (real SQLite log and key store, real redis for the repeat index)', () => {
  let env: PrivacyEnv;
  let redisServer: TestRedis;
  let redis: Redis;
  let projections: ProjectionRunner;
  let repeats: RepeatPetitionQueries;
  let privacy: PrivacyService;
  const prefix = `t${randomUUID().slice(0, 6)}:`;

  const privacyWith = (store: EventStore) =>
    new PrivacyService(env.keys, env.cipher, env.raw, store, env.runner, env.org, env.config, env.clock);

  beforeAll(async () => {
    env = setupPrivacy();
    redisServer = await TestRedis.start();
    redis = new Redis(redisServer.url);
    projections = new ProjectionRunner({
      store: env.projectionStore,
      redis,
      prefix,
      projections: [new RepeatPetitionProjection()],
      idleCheckMs: 100,
      leaseTtlMs: 3000,
      logger: silentLogger,
    });
    projections.start();
    repeats = new RepeatPetitionQueries(redis, prefix);
    privacy = privacyWith(env.store);

    await env.runner.execute(petitionDecider, petitionId, register(petitionId, [WANG, LI]), who('intake', 'east-s1'), meta());
    await env.runner.execute(
      mediationDecider,
      mediationId,
      {
        type: 'ApplyForMediation',
        mediationId,
        orgUnit: 'east-s1',
        form: 'written',
        workers: [ZHAO],
        employer: EMPLOYER,
        facts: FACTS,
        claims: [{ type: 'wages', amountYuan: 24000 }],
        headcount: 1,
        commonClaim: false,
        disputeDate: '2025-10-20',
      },
      who('intake', 'east-s1'),
      meta(),
    );
    await env.runner.execute(
      hardshipFileDecider,
      fileId,
      { type: 'ApplyForHardshipFile', fileId, orgUnit: 'east-s1-g1', stats: STATS, personal: HOUSEHOLD },
      who('intake', 'east-s1-g1'),
      meta(),
    );
  });

  afterAll(async () => {
    await projections?.stop();
    redis?.disconnect();
    await redisServer?.stop();
    await env?.close();
  });

  it('stores no personal value in the clear: not in the log file, not in the key file', () => {
    const log = env.fileBytes(env.logFile);
    const keys = env.fileBytes(env.keysFile);
    // The grep works: non-personal values of the same events are there in the clear.
    for (const visible of [SUBJECT, 'east-s1-g1', 'PetitionRegistered', 'HardshipFileApplied', 'MediationApplied', '"migrantWorker":true'])
      expect(log.includes(Buffer.from(visible))).toBe(true);
    for (const secret of SECRETS) {
      expect({ secret, inLog: log.includes(Buffer.from(secret)) }).toEqual({ secret, inLog: false });
      expect({ secret, inKeys: keys.includes(Buffer.from(secret)) }).toEqual({ secret, inKeys: false });
    }
  });

  it('decrypts on read through the application store; projections see only envelopes', async () => {
    const [reg] = await env.store.readStream(`petition-${petitionId}`);
    expect(reg.data).toMatchObject({ petitioners: [WANG, LI], facts: FACTS, subject: SUBJECT });
    const [applied] = await env.store.readStream(`mediation-${mediationId}`);
    expect(applied.data).toMatchObject({ workers: [ZHAO], employer: EMPLOYER, facts: FACTS, headcount: 1 });
    const [file] = await env.store.readStream(`hardship-${fileId}`);
    expect((file.data as any).personal).toEqual(HOUSEHOLD);

    const [rawReg] = await env.projectionStore.readStream(`petition-${petitionId}`);
    const d = rawReg.data as any;
    expect(d.petitioners[0].name).toMatchObject({ $pii: 1, s: wangSubject, r: 'petitioner' });
    expect(d.subject).toBe(SUBJECT);
    expect(d.petitionerKeys).toEqual([petitionerKey(WANG.idNumber, BLIND_KEY)]);
    const [rawApplied] = await env.projectionStore.readStream(`mediation-${mediationId}`);
    // What statistics and state need stays in the clear.
    expect((rawApplied.data as any).workers[0]).toMatchObject({ workerId: 'w1', migrantWorker: true });
    expect((rawApplied.data as any).claimTotalYuan).toBe(24000);
  });

  it('lists the subjects of a case: one person across cases, the household and the case narrative apart', async () => {
    const pet = await privacy.subjectsOfCase(`petition-${petitionId}`, who('auditor', 'city'));
    expect(pet.subjects).toEqual(
      expect.arrayContaining([
        { subjectId: wangSubject, kind: 'person', roles: ['petitioner'], values: 5, erased: false },
        expect.objectContaining({ kind: 'person', roles: ['petitioner'], values: 2 }),
        expect.objectContaining({ kind: 'case', roles: ['case'], values: 2 }),
      ]),
    );
    expect(pet.subjects).toHaveLength(3);
    const file = await privacy.subjectsOfCase(`hardship-${fileId}`, who('supervisor', 'east'));
    expect(file.subjects.map((s) => [s.kind, s.roles.join()])).toEqual(
      expect.arrayContaining([
        ['person', 'head'],
        ['person', 'member'],
        ['household', 'household'],
      ]),
    );
    expect(file.subjects.find((s) => s.roles.includes('head'))!.subjectId).toBe(wangSubject);
    expect(await codeOf(privacy.subjectsOfCase(`hardship-${fileId}`, who('auditor', 'west')))).toBe('OUTSIDE_ORG_SUBTREE');
  });

  it('an auditor’s reveal is logged (PersonalDataRevealed, no plaintext in it) before any plaintext is returned', async () => {
    // If the log refuses the reveal event, no plaintext comes back.
    expect(await codeOf(privacyWith(new RefusingStore(env.store)).reveal(wangSubject, '年度审计', undefined, who('auditor', 'city'), meta()))).toBe(
      'error: log unavailable',
    );
    expect(await env.store.readStream(subjectStream(wangSubject))).toHaveLength(0);

    const out = await privacy.reveal(wangSubject, '年度审计抽查', `petition-${petitionId}`, who('auditor', 'city'), meta());
    expect(out.values.filter((v) => !v.erased).map((v) => [v.path, v.value])).toEqual([
      ['/petitioners/0/name', WANG.name],
      ['/petitioners/0/phone', WANG.phone],
      ['/petitioners/0/email', WANG.email],
      ['/petitioners/0/idNumber', WANG.idNumber],
      ['/petitioners/0/address', WANG.address],
    ]);
    const logged = await env.store.readStream(subjectStream(wangSubject));
    expect(logged.map((e) => e.type)).toEqual(['PersonalDataRevealed']);
    expect(logged[0].position).toBe(out.position);
    expect(logged[0].data).toMatchObject({ subjectId: wangSubject, reason: '年度审计抽查', revealedBy: 'auditor.city', fields: expect.arrayContaining([expect.objectContaining({ path: '/petitioners/0/name', stream: `petition-${petitionId}` })]) });
    expect(JSON.stringify(logged[0])).not.toContain(WANG.name);
    expect(await codeOf(privacy.reveal(wangSubject, 'x', undefined, who('auditor', 'west'), meta()))).toBe('OUTSIDE_ORG_SUBTREE');
  });

  it('erasure destroys the keys: views show [erased], the log is untouched, blind indexes are gone, deciders go on', async () => {
    const pk = petitionerKey(WANG.idNumber, BLIND_KEY);
    // The repeat index links Wang's next petition on the subject to the open case.
    await eventually(() => repeats.find([pk], SUBJECT), (v) => v === petitionId);
    expect(await env.keys.hasBlindIndex(BLIND_INDEX_SCOPES.hardshipFile, fileId)).toBe(true);
    expect(await resolveHardshipFile(WANG.idNumber, BLIND_KEY, env.keys, env.raw)).toEqual({ id: fileId, live: true });
    const wrapped = new Database(env.keysFile, { readonly: true }).prepare('SELECT wrapped FROM data_keys WHERE subject_id = ?').all(wangSubject) as { wrapped: Buffer }[];
    expect(wrapped).toHaveLength(1);
    expect(env.fileBytes(env.keysFile).includes(wrapped[0].wrapped)).toBe(true);
    const rowsBefore = env.rawRows();
    expect(env.raw.verifyIntegrity).toBeDefined();
    expect((await env.raw.verifyIntegrity!()).ok).toBe(true);

    // Who may erase, and when.
    expect(await codeOf(privacy.erase(wangSubject, 'data_subject_request', undefined, who('head', 'east-s1'), meta()))).toBe('ERASURE_NOT_ALLOWED');
    expect(await codeOf(privacy.erase(wangSubject, 'data_subject_request', undefined, who('officer', 'city'), meta()))).toBe('ERASURE_NOT_ALLOWED');
    expect(await codeOf(privacy.erase(wangSubject, 'data_subject_request', undefined, who('supervisor', 'west'), meta()))).toBe('OUTSIDE_ORG_SUBTREE');
    expect(await codeOf(privacy.erase(wangSubject, 'retention_end', undefined, who('head', 'city'), meta()))).toBe('RETENTION_NOT_ENDED');

    // Four eyes: the request alone destroys nothing; the requester cannot approve it, nor anyone outside the chain.
    const asked = (await privacy.erase(wangSubject, 'data_subject_request', 'PIPL-REQ-2025-0012', who('head', 'city'), meta())) as any;
    expect(asked).toMatchObject({ subjectId: wangSubject, status: 'approval_required', requestedBy: 'head.city', legalBasis: '个人信息保护法 art. 47' });
    expect(await codeOf(privacy.erase(wangSubject, 'data_subject_request', undefined, who('supervisor', 'city'), meta()))).toBe('ERASURE_ALREADY_REQUESTED');
    expect(((await env.store.readStream(`petition-${petitionId}`))[0].data as any).petitioners[0]).toEqual(WANG);
    expect(await env.keys.hasBlindIndex(BLIND_INDEX_SCOPES.hardshipFile, fileId)).toBe(true);
    expect(await codeOf(privacy.approve(wangSubject, asked.requestId, who('head', 'city'), meta()))).toBe('FOUR_EYES_REQUIRED');
    expect(await codeOf(privacy.approve(wangSubject, asked.requestId, who('supervisor', 'west'), meta()))).toBe('OUTSIDE_ORG_SUBTREE');
    // A head below one of the cases' units (east-s1-g1 is not within east-s1-g2) is outside the chain.
    expect(await codeOf(privacy.approve(wangSubject, asked.requestId, who('head', 'east-s1-g2'), meta()))).toBe('OUTSIDE_ORG_SUBTREE');
    expect(await codeOf(privacy.approve(wangSubject, asked.requestId, who('officer', 'east'), meta()))).toBe('ERASURE_NOT_ALLOWED');
    expect(await codeOf(privacy.approve(wangSubject, randomUUID(), who('supervisor', 'east'), meta()))).toBe('ERASURE_NOT_REQUESTED');

    const out = (await privacy.approve(wangSubject, asked.requestId, who('supervisor', 'east'), meta())) as any;
    expect(out).toMatchObject({ status: 'erased', subjectId: wangSubject, reason: 'data_subject_request', legalBasis: '个人信息保护法 art. 47', keysDestroyed: 1, blindIndexesRemoved: 2 });
    expect(out).toMatchObject({ requestId: asked.requestId, requestedBy: 'head.city', approvedBy: 'supervisor.east' });
    expect(out.streams.sort()).toEqual([`hardship-${fileId}`, `petition-${petitionId}`].sort());

    // The log: every earlier row byte for byte as before; only the subject's request, approval and erasure were added.
    const rowsAfter = env.rawRows() as Array<{ stream_id: string; type: string }>;
    expect(rowsAfter.slice(0, rowsBefore.length)).toEqual(rowsBefore);
    expect(rowsAfter.slice(rowsBefore.length).map((r) => [r.stream_id, r.type])).toEqual([
      [subjectStream(wangSubject), 'ErasureRequested'],
      [subjectStream(wangSubject), 'ErasureApproved'],
      [subjectStream(wangSubject), 'SubjectErased'],
    ]);
    // The hash chain still verifies: erasure never rewrites the log.
    expect(await env.raw.verifyIntegrity!()).toMatchObject({ ok: true });
    const erasedEvent = (await env.store.readStream(subjectStream(wangSubject))).find((e) => e.type === 'SubjectErased')!;
    expect(erasedEvent.data).toMatchObject({
      subjectId: wangSubject,
      kind: 'person',
      reason: 'data_subject_request',
      reference: 'PIPL-REQ-2025-0012',
      requestedBy: 'head.city',
      approvedBy: 'supervisor.east',
      erasedBy: 'supervisor.east',
      blindIndexes: expect.arrayContaining([
        { scope: 'petitioner', value: pk },
        { scope: 'hardship-file', value: fileId },
      ]),
    });
    expect(erasedEvent.metadata).toMatchObject({ actorId: 'supervisor.east', role: 'supervisor', orgUnit: 'east' });
    for (const secret of SECRETS) expect(JSON.stringify(erasedEvent)).not.toContain(secret);

    // Every view: Wang's values read [erased], everyone else's still read.
    const [reg] = await env.store.readStream(`petition-${petitionId}`);
    expect((reg.data as any).petitioners).toEqual([{ name: ERASED, phone: ERASED, email: ERASED, idNumber: ERASED, address: ERASED }, LI]);
    expect((reg.data as any).facts).toBe(FACTS);
    const [file] = await env.store.readStream(`hardship-${fileId}`);
    expect((file.data as any).personal).toEqual({ ...HOUSEHOLD, headName: ERASED, idNumber: ERASED, phone: ERASED });
    const subjects = await privacy.subjectsOfCase(`petition-${petitionId}`, who('auditor', 'city'));
    expect(subjects.subjects.find((s) => s.subjectId === wangSubject)).toMatchObject({ erased: true });

    // The destroyed key is gone from the key file (secure_delete, WAL truncated).
    expect(env.fileBytes(env.keysFile).includes(wrapped[0].wrapped)).toBe(false);

    // Blind indexes: the file is no longer found by the number; a new application would open a new file.
    expect(await env.keys.hasBlindIndex(BLIND_INDEX_SCOPES.hardshipFile, fileId)).toBe(false);
    expect(await resolveHardshipFile(WANG.idNumber, BLIND_KEY, env.keys, env.raw)).toEqual({ id: hardshipFileIdFor(WANG.idNumber, BLIND_KEY, 1), live: false });
    expect(await codeOf(privacy.lookup(WANG.idNumber, who('auditor', 'city')))).toBe('SUBJECT_NOT_FOUND');
    // …and the repeat index (derived, in Redis) drops Wang's key when its projection sees SubjectErased.
    await eventually(() => repeats.find([pk], SUBJECT), (v) => v === undefined);

    // Reveal and erasure again.
    expect(await codeOf(privacy.reveal(wangSubject, 'x', undefined, who('auditor', 'city'), meta()))).toBe('SUBJECT_ERASED');
    expect(await codeOf(privacy.erase(wangSubject, 'data_subject_request', undefined, who('head', 'city'), meta()))).toBe('SUBJECT_ALREADY_ERASED');

    // The deciders do not need the erased values: the cases go on.
    const accepted = await env.runner.execute(petitionDecider, petitionId, { type: 'AcceptPetition', signedBy: 'head.east-s1' }, who('officer', 'east-s1'), meta());
    expect(accepted.events).toContain('PetitionAccepted');
    const screened = await env.runner.execute(hardshipFileDecider, fileId, { type: 'PreScreen', note: '材料齐全' }, who('officer', 'east-s1-g1'), meta());
    expect(screened.events).toEqual(['HardshipFilePreScreened']);
  });

  it('the same person petitioning after erasure is a new case under a new key; the old values stay erased', async () => {
    const again = randomUUID();
    const pk = petitionerKey(WANG.idNumber, BLIND_KEY);
    expect(await repeats.find([pk], SUBJECT)).toBeUndefined();
    await env.runner.execute(petitionDecider, again, register(again, [WANG]), who('intake', 'east-s1'), meta());
    const [fresh] = await env.store.readStream(`petition-${again}`);
    expect((fresh.data as any).petitioners).toEqual([WANG]);
    const [old] = await env.store.readStream(`petition-${petitionId}`);
    expect((old.data as any).petitioners[0].name).toBe(ERASED);
    await eventually(() => repeats.find([pk], SUBJECT), (v) => v === again);
  });

  it('erasure for the end of retention: only once every case of the subject is closed (petition) or rejected/past retention (hardship)', async () => {
    const SUN = { name: '孙立平', idNumber: '110101198811112222' };
    const pid = randomUUID();
    await env.runner.execute(petitionDecider, pid, register(pid, [SUN], SUN.idNumber), who('intake', 'east-s1'), meta());
    const fid = hardshipFileIdFor(SUN.idNumber, BLIND_KEY);
    await env.runner.execute(hardshipFileDecider, fid, { type: 'ApplyForHardshipFile', fileId: fid, orgUnit: 'east-s1-g1', stats: STATS, personal: { ...HOUSEHOLD, headName: SUN.name, idNumber: SUN.idNumber, members: [] } }, who('intake', 'east-s1-g1'), meta());
    const sun = personSubjectId(SUN.idNumber, BLIND_KEY);
    const refused = privacy.erase(sun, 'retention_end', undefined, who('supervisor', 'east'), meta());
    await expect(refused).rejects.toMatchObject({
      code: 'RETENTION_NOT_ENDED',
      details: { cases: expect.arrayContaining([{ stream: `petition-${pid}`, why: 'case is Registered' }, { stream: `hardship-${fid}`, why: 'file is Applied' }]) },
    });
    await env.runner.execute(petitionDecider, pid, { type: 'ClosePetition', reason: 'withdrawn' }, who('head', 'east-s1'), meta());
    await expect(privacy.erase(sun, 'retention_end', undefined, who('supervisor', 'east'), meta())).rejects.toMatchObject({
      details: { cases: [{ stream: `hardship-${fid}`, why: 'file is Applied' }] },
    });
    await env.runner.execute(hardshipFileDecider, fid, { type: 'RejectFile', reason: '收入超过标准' }, who('head', 'east-s1-g1'), meta());
    // The end of retention needs no second person.
    const out = (await privacy.erase(sun, 'retention_end', 'RET-2025-7', who('supervisor', 'east'), meta())) as any;
    expect(out).toMatchObject({ status: 'erased', reason: 'retention_end', legalBasis: '个人信息保护法 art. 19, art. 47(1)(1)', keysDestroyed: 1, requestedBy: 'supervisor.east' });
    expect((await env.store.readStream(subjectStream(sun))).map((e) => e.type)).toEqual(['ErasureRequested', 'SubjectErased']);
    const [reg] = await env.store.readStream(`petition-${pid}`);
    expect((reg.data as any).petitioners).toEqual([{ name: ERASED, idNumber: ERASED }]);
  });

  it('an erasure whose event did not reach the log (crash) is logged at the next start', async () => {
    const liSubject = (await privacy.subjectsOfCase(`petition-${petitionId}`, who('auditor', 'city'))).subjects.find((s) => s.kind === 'person' && s.subjectId !== wangSubject)!.subjectId;
    const asked = (await privacy.erase(liSubject, 'data_subject_request', undefined, who('head', 'city'), meta())) as any;
    await env.runner.execute(subjectDecider, liSubject, { type: 'ApproveErasure', requestId: asked.requestId, owningUnits: ['east-s1'] }, who('supervisor', 'east-s1'), meta());
    // Keys destroyed and the erasure recorded in the key store, as if the process died before SubjectErased was logged.
    const record = await env.keys.erase(liSubject, (d) => ({
      event: { subjectId: liSubject, kind: d.kind, erasureId: d.erasureId, reason: 'data_subject_request', legalBasis: '个人信息保护法 art. 47', requestId: asked.requestId, requestedBy: 'head.city', approvedBy: 'supervisor.east-s1', erasedBy: 'supervisor.east-s1', erasedAt: env.clock.now().toISOString(), keyIds: d.keyIds, streams: d.streams, blindIndexes: [] },
      metadata: { actorId: 'supervisor.east-s1', role: 'supervisor', orgUnit: 'east-s1', occurredAt: env.clock.now().toISOString(), commandId: randomUUID(), correlationId: 'c', causationId: 'c', schemaVersion: 1 },
      erasedAt: env.clock.now().toISOString(),
    }));
    expect(record).toBeDefined();
    expect(await env.keys.unloggedErasures()).toHaveLength(1);
    expect((await env.store.readStream(subjectStream(liSubject))).map((e) => e.type)).toEqual(['ErasureRequested', 'ErasureApproved']);
    await privacyWith(env.store).onApplicationBootstrap();
    expect((await env.store.readStream(subjectStream(liSubject))).map((e) => e.type)).toEqual(['ErasureRequested', 'ErasureApproved', 'SubjectErased']);
    // Logged once: a second start appends nothing.
    await privacyWith(env.store).onApplicationBootstrap();
    expect(await env.store.readStream(subjectStream(liSubject))).toHaveLength(3);
    expect(await env.keys.unloggedErasures()).toHaveLength(0);
    const [reg] = await env.store.readStream(`petition-${petitionId}`);
    expect((reg.data as any).petitioners[1]).toEqual({ name: ERASED, phone: ERASED });
  });
});

// The key store commits on its own connection or on a writer thread (the api and worker use the thread).
describe.each([false, true])('key store (writer thread: %s)', (keyWriterThread) => {
  const setupPrivacy = (): PrivacyEnv => setupEnv({ keyWriterThread });

  it('refuses a master key other than the one it was created with', async () => {
    const env = setupPrivacy();
    try {
      await env.keys.currentKey(randomUUID(), 'person');
      const { SqliteKeyStore } = await import('@hearth/platform/pii');
      expect(() => new SqliteKeyStore({ file: env.keysFile, masterKey: Buffer.alloc(32, 1) })).toThrow(/not the master key/);
      const same = new SqliteKeyStore({ file: env.keysFile, masterKey: env.masterKey });
      await same.close();
    } finally {
      await env.close();
    }
  });

  it('two subjects never share a key, and a subject keeps its key until erased', async () => {
    const env = setupPrivacy();
    try {
      const a = randomUUID();
      const b = randomUUID();
      const ka = await env.keys.currentKey(a, 'person');
      expect((await env.keys.currentKey(a, 'person')).keyId).toBe(ka.keyId);
      const kb = await env.keys.currentKey(b, 'household');
      expect(kb.key.equals(ka.key)).toBe(false);
      expect((await env.keys.keyById(ka.keyId))!.key.equals(ka.key)).toBe(true);
      const actor: Actor = who('head', 'city');
      await env.keys.erase(a, (d) => ({ event: { ...d }, metadata: { actorId: actor.id }, erasedAt: new Date().toISOString() }));
      expect(await env.keys.keyById(ka.keyId)).toBeUndefined();
      expect((await env.keys.currentKey(a, 'person')).keyId).not.toBe(ka.keyId);
    } finally {
      await env.close();
    }
  });

  it('concurrent commands share one key-store transaction; one subject asked for twice at once gets one key', async () => {
    const env = setupPrivacy();
    try {
      const probe = new Database(env.keysFile, { readonly: true });
      const version = () => probe.pragma('data_version', { simple: true }) as number;
      const before = version();
      const subjects = Array.from({ length: 50 }, () => randomUUID());
      const keys = await Promise.all([...subjects, subjects[0]].map((s) => env.keys.currentKey(s, 'person')));
      // data_version moves once per commit by another connection: 51 requests, one write transaction.
      expect(version() - before).toBe(1);
      expect(keys[50].keyId).toBe(keys[0].keyId);
      expect(new Set(keys.map((k) => k.keyId)).size).toBe(50);
      const rows = probe.prepare('SELECT COUNT(*) AS n FROM data_keys').get() as { n: number };
      expect(rows.n).toBe(50);
      probe.close();
    } finally {
      await env.close();
    }
  });

  it('registering a petition with a new petitioner costs one key-store commit: the key and its uses together', async () => {
    const env = setupPrivacy();
    try {
      const probe = new Database(env.keysFile, { readonly: true });
      const version = () => probe.pragma('data_version', { simple: true }) as number;
      const before = version();
      const id = randomUUID();
      await env.runner.execute(petitionDecider, id, register(id, [{ ...WANG, idNumber: '110101199912310011' }], '110101199912310011'), who('intake', 'east-s1'), meta());
      expect(version() - before).toBe(1);
      const subject = personSubjectId('110101199912310011', BLIND_KEY);
      expect((await env.keys.subject(subject))?.streams).toEqual([`petition-${id}`]);
      probe.close();
    } finally {
      await env.close();
    }
  });

  it('a key cached by one process is dropped as soon as another process erases its subject', async () => {
    const env = setupPrivacy();
    const { SqliteKeyStore } = await import('@hearth/platform/pii');
    const other = new SqliteKeyStore({ file: env.keysFile, masterKey: env.masterKey, writerThread: keyWriterThread });
    try {
      const a = randomUUID();
      const ka = await env.keys.currentKey(a, 'person');
      expect((await env.keys.keyById(ka.keyId))?.keyId).toBe(ka.keyId); // now cached in env.keys
      await other.erase(a, (d) => ({ event: { ...d }, metadata: { actorId: 'head.city' }, erasedAt: new Date().toISOString() }));
      expect(await env.keys.keyById(ka.keyId)).toBeUndefined();
      expect((await env.keys.currentKey(a, 'person')).keyId).not.toBe(ka.keyId);
    } finally {
      await other.close();
      await env.close();
    }
  });
});
