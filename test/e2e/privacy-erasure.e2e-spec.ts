import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { HearthUnderTest } from '@hearth/testing/hearth-process';
import { configFromEnv, petitionerKey } from '@hearth/platform';

/* eslint-disable @typescript-eslint/no-explicit-any */

const WANG = { name: '隐私测试王小明', phone: '13812340001', email: 'wangxm@example.cn', idNumber: '110101199003078888', address: '东城区幸福路8号院' };
const LI = { name: '隐私测试李秀英', phone: '13912340002' };
const ZHOU = {
  headName: '隐私测试周建华',
  idNumber: '110101197805056666',
  phone: '13712340003',
  address: '东城区和平里九区6号楼',
  bankAccount: '6217000000555566667',
  members: [{ name: '隐私测试周小红', relation: 'child', age: 12, healthNotes: '先天性心脏病' }],
  situation: '子女重病',
};
const STATS = { membersCount: 2, monthlyIncomeYuan: 2000, rigidExpenses: { medicalYuan: 600 }, migrantWorker: false, monthsEmployed: 60 };
const SECRETS = [WANG.name, WANG.phone, WANG.email, WANG.idNumber, WANG.address, LI.name, LI.phone, ZHOU.headName, ZHOU.idNumber, ZHOU.bankAccount, ZHOU.members[0].name, ZHOU.members[0].healthNotes];

/**
 * Crypto-shredding over HTTP (api and worker as separate processes): personal data is encrypted at rest; an auditor's
 * reveal is logged; erasure asked by the head of the city federation or a supervisor and approved by a second person
 * of the owning unit's chain (four eyes) makes every view show `[erased]`, the
 * hardship look-up by ID number answer 404 and the repeat-petition index forget the person.
 */
describe('privacy: erasure and reveal over HTTP (e2e)', () => {
  let h: HearthUnderTest;
  let redis: Redis;
  const petition = (petitioners: object[]) => ({
    orgUnit: 'east-s1',
    channel: 'letter',
    category: 'claim',
    subject: '隐私测试：拖欠工资',
    facts: '某公司拖欠三个月工资',
    request: '补发',
    petitioners,
    headcount: petitioners.length,
    identityKnown: true,
  });

  beforeAll(async () => {
    h = await HearthUnderTest.start();
    redis = new Redis(h.redis.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.stop();
  });

  const ok = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await h.request(user, method, path, body ?? (method === 'POST' ? {} : undefined));
    if (res.status >= 300) throw new Error(`${method} ${path} as ${user}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  /** Repeat-index entries of a petitioner key in Redis (whatever the read-model generation prefix). */
  const repeatEntries = async (pk: string) => (await redis.keys(`*pet:rep:${pk}:*`)).length;

  let petitionId = '';
  let wangSubject = '';

  it('encrypts at rest, links a repeat petition by the blind index, and logs an auditor’s reveal before answering', async () => {
    const reg = await h.request('intake.east-s1', 'POST', '/petitions', petition([{ ...WANG }, LI]));
    expect(reg.status).toBe(201);
    petitionId = reg.body.id;

    // The raw SQLite files hold none of the personal values.
    const files = readdirSync(h.dataDir).filter((f) => /\.sqlite(-wal)?$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['hearth.sqlite', 'keys.sqlite']));
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(h.dataDir, f))));
    expect(bytes.includes(Buffer.from('隐私测试：拖欠工资'))).toBe(true);
    for (const s of SECRETS) expect({ s, found: bytes.includes(Buffer.from(s)) }).toEqual({ s, found: false });

    // Intake sees nothing after registering; the officer handling the case reads whom to answer (never the ID
    // number), and that display is logged first (issue 11).
    const intake = await ok('intake.east-s1', 'GET', `/petitions/${petitionId}/history`);
    for (const s of SECRETS) expect(JSON.stringify(intake)).not.toContain(s);
    const hist = await ok('officer.east-s1', 'GET', `/petitions/${petitionId}/history`);
    const { idNumber: _id, ...wangShown } = WANG;
    expect(hist.events[0].data.petitioners).toEqual([{ ...wangShown, idNumber: { personal: true, subjectId: expect.any(String), role: 'petitioner' } }, LI]);

    // Same person (blind index), same subject, case open → linked to the case.
    const pk = petitionerKey(WANG.idNumber, configFromEnv({ HEARTH_JWT_SECRET: h.secret }).blindIndexKey);
    await h.eventually(async () => (await repeatEntries(pk)) > 0, 15_000, 'repeat index entry');
    const repeat = await h.request('intake.east-s1', 'POST', '/petitions', petition([{ name: WANG.name, idNumber: WANG.idNumber }]));
    expect([repeat.status, repeat.body.repeatOf]).toEqual([200, petitionId]);

    const found = await ok('auditor.city', 'POST', '/privacy/subjects/lookup', { idNumber: WANG.idNumber });
    wangSubject = found.subjectId;
    expect(found.streams).toEqual([`petition-${petitionId}`]);
    const subjects = await ok('auditor.city', 'GET', `/privacy/subjects?caseStream=petition-${petitionId}`);
    expect(subjects.subjects).toEqual(
      expect.arrayContaining([
        { subjectId: wangSubject, kind: 'person', roles: ['petitioner'], values: 5, erased: false },
        expect.objectContaining({ kind: 'case', roles: ['case'], erased: false }),
      ]),
    );
    expect((await h.request('officer.east-s1', 'GET', `/privacy/subjects?caseStream=petition-${petitionId}`)).status).toBe(403);

    // Only auditors reveal; the reveal is in the subject's log (without the values) when the answer arrives.
    expect((await h.request('head.city', 'POST', `/privacy/subjects/${wangSubject}/reveal`, { reason: '抽查' })).status).toBe(403);
    expect((await h.request('auditor.city', 'POST', `/privacy/subjects/${wangSubject}/reveal`, {})).body.code).toBe('VALIDATION_FAILED');
    const revealed = await ok('auditor.city', 'POST', `/privacy/subjects/${wangSubject}/reveal`, { reason: '2025 年度信访档案审计抽查' });
    expect(revealed.values.find((v: any) => v.path === '/petitioners/0/name')).toMatchObject({ value: WANG.name, erased: false });
    const log = await ok('auditor.city', 'GET', `/privacy/subjects/${wangSubject}`);
    expect(log.events.map((e: any) => [e.type, e.actorId])).toEqual([
      ['PersonalDataRevealed', 'officer.east-s1'],
      ['PersonalDataRevealed', 'auditor.city'],
    ]);
    expect(log.events[1].position).toBe(revealed.position);
    expect(JSON.stringify(log.events)).not.toContain(WANG.name);
  });

  it('erasure: who may, then [erased] everywhere, reveal refused, the repeat index forgets the person', async () => {
    expect((await h.request('officer.city', 'POST', `/privacy/subjects/${wangSubject}/erasure`, { reason: 'data_subject_request' })).status).toBe(403);
    const notCity = await h.request('head.east', 'POST', `/privacy/subjects/${wangSubject}/erasure`, { reason: 'data_subject_request' });
    expect([notCity.status, notCity.body.code]).toEqual([403, 'ERASURE_NOT_ALLOWED']);
    expect((await h.request('head.city', 'POST', `/privacy/subjects/${wangSubject}/erasure`, { reason: 'whim' })).status).toBe(400);
    const tooEarly = await h.request('head.city', 'POST', `/privacy/subjects/${wangSubject}/erasure`, { reason: 'retention_end' });
    expect([tooEarly.status, tooEarly.body.code]).toEqual([422, 'RETENTION_NOT_ENDED']);

    // Four eyes: the request destroys nothing; the requester may not approve it; a second person of the chain does.
    const asked = await ok('head.city', 'POST', `/privacy/subjects/${wangSubject}/erasure`, { reason: 'data_subject_request', reference: 'PIPL-REQ-2025-0042' });
    expect(asked).toMatchObject({ subjectId: wangSubject, status: 'approval_required', requestedBy: 'head.city' });
    const self = await h.request('head.city', 'POST', `/privacy/subjects/${wangSubject}/erasure/approval`, { requestId: asked.requestId });
    expect([self.status, self.body.code]).toEqual([422, 'FOUR_EYES_REQUIRED']);
    expect((await h.request('supervisor.west', 'POST', `/privacy/subjects/${wangSubject}/erasure/approval`, { requestId: asked.requestId })).status).toBe(403);
    const erased = await ok('supervisor.east', 'POST', `/privacy/subjects/${wangSubject}/erasure/approval`, { requestId: asked.requestId });
    expect(erased).toMatchObject({ status: 'erased', subjectId: wangSubject, keysDestroyed: 1, legalBasis: '个人信息保护法 art. 47', streams: [`petition-${petitionId}`], approvedBy: 'supervisor.east' });

    const hist = await ok('officer.east-s1', 'GET', `/petitions/${petitionId}/history`);
    expect(hist.events[0].data.petitioners).toEqual([{ name: '[erased]', phone: '[erased]', email: '[erased]', idNumber: '[erased]', address: '[erased]' }, LI]);
    const subjects = await ok('auditor.city', 'GET', `/privacy/subjects?caseStream=petition-${petitionId}`);
    expect(subjects.subjects.find((s: any) => s.subjectId === wangSubject)).toMatchObject({ erased: true });

    const again = await h.request('auditor.city', 'POST', `/privacy/subjects/${wangSubject}/reveal`, { reason: '再次抽查' });
    expect([again.status, again.body.code]).toEqual([422, 'SUBJECT_ERASED']);
    expect((await h.request('auditor.city', 'POST', '/privacy/subjects/lookup', { idNumber: WANG.idNumber })).status).toBe(404);
    const log = await ok('supervisor.city', 'GET', `/privacy/subjects/${wangSubject}`);
    expect(log.erased).toBe(true);
    expect(log.events.map((e: any) => e.type)).toEqual(['PersonalDataRevealed', 'PersonalDataRevealed', 'ErasureRequested', 'ErasureApproved', 'SubjectErased']);
    expect(log.events[4].data).toMatchObject({ reason: 'data_subject_request', reference: 'PIPL-REQ-2025-0042', requestedBy: 'head.city', approvedBy: 'supervisor.east', erasedBy: 'supervisor.east' });

    // The worker drops Wang's entries from the repeat index; his next petition opens a new case.
    const pk = petitionerKey(WANG.idNumber, configFromEnv({ HEARTH_JWT_SECRET: h.secret }).blindIndexKey);
    await h.eventually(async () => (await repeatEntries(pk)) === 0, 15_000, 'repeat index entries dropped');
    const next = await h.request('intake.east-s1', 'POST', '/petitions', petition([{ name: WANG.name, idNumber: WANG.idNumber }]));
    expect(next.status).toBe(201);
    expect(next.body.repeatOf).toBeUndefined();
    expect(next.body.id).not.toBe(petitionId);

    // The case itself goes on.
    expect((await h.request('officer.east-s1', 'POST', `/petitions/${petitionId}/acceptance`, { signedBy: 'head.east-s1' })).status).toBe(200);
  });

  it('hardship: the file is found by ID number until its head is erased, then 404', async () => {
    const applied = await ok('intake.east-s1-g1', 'POST', '/hardship-files', { orgUnit: 'east-s1-g1', stats: STATS, personal: ZHOU });
    const fileId = applied.id;
    expect(await ok('officer.east-s1', 'POST', '/hardship-files/lookup', { idNumber: ZHOU.idNumber })).toMatchObject({ id: fileId });
    const head = (await ok('supervisor.east', 'GET', `/privacy/subjects?caseStream=hardship-${fileId}`)).subjects.find((s: any) => s.roles.includes('head'));
    expect(head).toBeDefined();
    // Outside the supervisor's subtree: refused.
    expect((await h.request('supervisor.west', 'POST', `/privacy/subjects/${head.subjectId}/erasure`, { reason: 'data_subject_request' })).status).toBe(403);
    // The file is open: its retention has not ended.
    expect((await h.request('supervisor.east', 'POST', `/privacy/subjects/${head.subjectId}/erasure`, { reason: 'retention_end' })).body.code).toBe('RETENTION_NOT_ENDED');
    const asked = await ok('supervisor.east', 'POST', `/privacy/subjects/${head.subjectId}/erasure`, { reason: 'data_subject_request' });
    expect(await h.request('officer.east-s1', 'POST', '/hardship-files/lookup', { idNumber: ZHOU.idNumber })).toMatchObject({ status: 200 });
    await ok('head.east', 'POST', `/privacy/subjects/${head.subjectId}/erasure/approval`, { requestId: asked.requestId });

    const gone = await h.request('officer.east-s1', 'POST', '/hardship-files/lookup', { idNumber: ZHOU.idNumber });
    expect([gone.status, gone.body.code]).toEqual([404, 'HARDSHIP_FILE_NOT_FOUND']);
    // The file and its statistics stay (read model, no personal data); the case goes on.
    expect((await h.request('officer.east-s1', 'GET', `/hardship-files/${fileId}`)).status).toBe(200);
    expect((await h.request('officer.east-s1-g1', 'POST', `/hardship-files/${fileId}/pre-screen`, { note: '材料齐全' })).status).toBe(200);
    // Still nothing personal in the clear on disk.
    const bytes = Buffer.concat(
      ['hearth.sqlite', 'hearth.sqlite-wal', 'keys.sqlite', 'keys.sqlite-wal'].filter((f) => existsSync(join(h.dataDir, f))).map((f) => readFileSync(join(h.dataDir, f))),
    );
    for (const s of SECRETS) expect({ s, found: bytes.includes(Buffer.from(s)) }).toEqual({ s, found: false });
  });
});
