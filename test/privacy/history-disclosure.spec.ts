import { randomUUID } from 'node:crypto';
import { hardshipFileDecider, HouseholdPersonal, mediationDecider, PetitionCommand, petitionDecider } from '@hearth/domain';
import type { AppendResult, EventStore, NewEvent } from '@hearth/event-store';
import { ERASED, hardshipFileIdFor, personSubjectId, petitionerKey } from '@hearth/platform/pii';
import { CaseHistoryService } from '../../apps/api/src/history/case-history.service';
import { subjectStream } from '../../apps/api/src/history/personal-data-disclosure';
import { BLIND_KEY, PrivacyEnv, setupPrivacy, who } from './support';

/* eslint-disable @typescript-eslint/no-explicit-any */

// Issue 11, defect 1: GET /{workflow}/{id}/history returned every decrypted ID number, name and phone to every role,
// and logged nothing. Now: the display policy per role, masked otherwise, PersonalDataRevealed logged first.
const WANG = { name: '王小明', phone: '13812345678', email: 'wxm@example.cn', idNumber: '110101199003071234', address: '东城区幸福路1号院' };
const LI = { name: '李秀英', phone: '13987654321' };
const ZHAO = { workerId: 'w1', name: '赵建国', idNumber: '110101198502023456', phone: '13700001111', migrantWorker: true };
const EMPLOYER = { name: '东城鸿运建筑劳务有限公司', creditCode: '91110101MA01234567' };
const FACTS = '某公司拖欠王小明工资三个月';
const HOUSEHOLD: HouseholdPersonal = {
  headName: '周建华',
  idNumber: '110101197805056666',
  phone: '13712340003',
  address: '东城区和平里九区6号楼',
  bankAccount: '6217000000555566667',
  members: [{ name: '周小红', relation: 'child', age: 12, healthNotes: '先天性心脏病' }],
  situation: '子女重病',
};
const SECRETS = [WANG.name, WANG.phone, WANG.idNumber, LI.name, ZHAO.name, ZHAO.idNumber, EMPLOYER.name, FACTS, HOUSEHOLD.headName, HOUSEHOLD.bankAccount!, HOUSEHOLD.members[0].healthNotes!];

const meta = () => ({ commandId: randomUUID() });
const wangSubject = personSubjectId(WANG.idNumber, BLIND_KEY);

const register = (id: string, over: Partial<Extract<PetitionCommand, { type: 'RegisterPetition' }>> = {}): PetitionCommand => ({
  type: 'RegisterPetition',
  petitionId: id,
  orgUnit: 'east-s1',
  channel: 'letter',
  category: 'claim',
  subject: '拖欠工资',
  facts: FACTS,
  request: '补发工资',
  petitioners: [WANG, LI] as never,
  headcount: 2,
  identityKnown: true,
  petitionerKeys: [petitionerKey(WANG.idNumber, BLIND_KEY)],
  ...over,
});

/** An EventStore whose appends of PersonalDataRevealed fail (the log is unavailable). */
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

const masked = (role: string) => ({ personal: true, subjectId: expect.any(String), role });

describe('case histories: personal data by need-to-know, every display logged first (real SQLite log and key store)', () => {
  let env: PrivacyEnv;
  let history: CaseHistoryService;
  const petitionId = randomUUID();
  const mediationId = randomUUID();
  const accusationId = randomUUID();
  const fileId = hardshipFileIdFor(HOUSEHOLD.idNumber!, BLIND_KEY);

  /** Every PersonalDataRevealed in the log, as stored. */
  const reveals = async () => (await env.raw.readAll({})).filter((e) => e.type === 'PersonalDataRevealed');

  beforeAll(async () => {
    env = setupPrivacy();
    history = new CaseHistoryService(env.store, env.projectionStore, env.cipher, env.org, env.clock);
    await env.runner.execute(petitionDecider, petitionId, register(petitionId), who('intake', 'east-s1'), meta());
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
    await env.runner.execute(hardshipFileDecider, fileId, { type: 'ApplyForHardshipFile', fileId, orgUnit: 'east-s1-g1', stats: { membersCount: 2, monthlyIncomeYuan: 2000, rigidExpenses: {}, migrantWorker: false, monthsEmployed: 60 }, personal: HOUSEHOLD }, who('intake', 'east-s1-g1'), meta());
  });
  afterAll(async () => env?.close());

  it('intake, auditors and outsiders read every personal value masked, and nothing is logged', async () => {
    for (const reader of [who('intake', 'east-s1'), who('auditor', 'city'), who('officer', 'west'), who('mediator', 'east-s1')]) {
      const h = (await history.history('petition', petitionId, reader))!;
      const reg = h.events[0].data as any;
      expect(reg.petitioners).toEqual([
        { name: masked('petitioner'), phone: masked('petitioner'), email: masked('petitioner'), idNumber: masked('petitioner'), address: masked('petitioner') },
        { name: masked('petitioner'), phone: masked('petitioner') },
      ]);
      expect(reg.petitioners[0].name.subjectId).toBe(wangSubject);
      expect(reg.facts).toEqual(masked('case'));
      expect(reg.subject).toBe('拖欠工资');
      for (const s of SECRETS) expect(JSON.stringify(h)).not.toContain(s);
    }
    // Without a reader nothing is shown either.
    expect(JSON.stringify(await history.history('petition', petitionId))).not.toContain(WANG.name);
    expect(await reveals()).toHaveLength(0);
  });

  it('the handling officer sees names, contacts and the facts (never the ID number), logged per subject before the answer', async () => {
    const h = (await history.history('petition', petitionId, who('officer', 'east-s1')))!;
    const reg = h.events[0].data as any;
    expect(reg.petitioners).toEqual([{ name: WANG.name, phone: WANG.phone, email: WANG.email, idNumber: masked('petitioner'), address: WANG.address }, LI]);
    expect(reg.facts).toBe(FACTS);
    const logged = await reveals();
    expect(logged.map((e) => (e.data as any).subjectId).sort()).toEqual([...new Set(logged.map((e) => (e.data as any).subjectId))].sort());
    expect(logged).toHaveLength(3); // Wang, Li, the case narrative
    const wang = logged.find((e) => e.streamId === subjectStream(wangSubject))!;
    expect(wang.data).toMatchObject({ subjectId: wangSubject, revealedBy: 'officer.east-s1', purpose: 'case_history' });
    expect((wang.data as any).fields.map((f: any) => [f.path, f.kind])).toEqual([
      ['/petitioners/0/name', 'name'],
      ['/petitioners/0/phone', 'contact'],
      ['/petitioners/0/email', 'contact'],
      ['/petitioners/0/address', 'contact'],
    ]);
    expect(wang.metadata).toMatchObject({ actorId: 'officer.east-s1', role: 'officer', orgUnit: 'east-s1' });
    for (const s of SECRETS) expect(JSON.stringify(logged)).not.toContain(s);
  });

  it('heads see names and facts; supervisors neither (the facts name people)', async () => {
    const head = (await history.history('petition', petitionId, who('head', 'east-s1')))!.events[0].data as any;
    expect(head.petitioners[0]).toEqual({ name: WANG.name, phone: masked('petitioner'), email: masked('petitioner'), idNumber: masked('petitioner'), address: masked('petitioner') });
    expect(head.facts).toBe(FACTS);
    const sup = (await history.history('petition', petitionId, who('supervisor', 'east')))!.events[0].data as any;
    expect(sup.petitioners[0].name).toEqual(masked('petitioner'));
    expect(sup.facts).toEqual(masked('case'));
  });

  it('when the reveal cannot be logged, no plaintext is returned', async () => {
    const before = (await reveals()).length;
    const refusing = new CaseHistoryService(new RefusingStore(env.store), env.projectionStore, env.cipher, env.org, env.clock);
    await expect(refusing.history('petition', petitionId, who('officer', 'east-s1'))).rejects.toMatchObject({ response: { code: 'REVEAL_NOT_LOGGED' } });
    expect(await reveals()).toHaveLength(before);
  });

  it('mediators see the parties of their own case only', async () => {
    const mediator = who('mediator', 'east-s1');
    const before = (await history.history('mediation', mediationId, mediator))!.events[0].data as any;
    expect(before.workers[0].name).toEqual(masked('worker'));
    expect(before.employer.name).toEqual(masked('employer'));
    await env.runner.execute(mediationDecider, mediationId, { type: 'AcceptApplication' }, who('officer', 'east-s1'), meta());
    await env.runner.execute(mediationDecider, mediationId, { type: 'AssignMediator', mediatorId: mediator.id }, who('officer', 'east-s1'), meta());
    const after = (await history.history('mediation', mediationId, mediator))!.events[0].data as any;
    expect(after.workers[0]).toEqual({ workerId: 'w1', name: ZHAO.name, idNumber: masked('worker'), phone: ZHAO.phone, migrantWorker: true });
    expect(after.employer).toEqual(EMPLOYER);
    // Another mediator of the same street: not theirs.
    const other = (await history.history('mediation', mediationId, { id: 'mediator.other', role: 'mediator', orgUnit: 'east-s1' }))!.events[0].data as any;
    expect(other.workers[0].name).toEqual(masked('worker'));
  });

  it('the accused org never sees the accuser, and nothing of them is revealed (信访工作条例 art. 46(5))', async () => {
    await env.runner.execute(petitionDecider, accusationId, register(accusationId, { category: 'accusation', accusedOrgUnit: 'east' } as never), who('intake', 'east-s1'), meta());
    const before = (await reveals()).length;
    const h = (await history.history('petition', accusationId, who('officer', 'east')))!;
    expect(h.accuserRedacted).toBe(true);
    expect((h.events[0].data as any).petitioners).toEqual([{ redacted: true }, { redacted: true }]);
    const logged = (await reveals()).slice(before);
    expect(logged.every((e) => (e.data as any).fields.every((f: any) => !f.path.startsWith('/petitioners')))).toBe(true);
  });

  it('hardship files: the household’s personal part is withheld on the history for every role, nothing revealed', async () => {
    const before = (await reveals()).length;
    for (const reader of [who('officer', 'east-s1-g1'), who('head', 'east-s1-g1')]) {
      const h = (await history.history('hardship', fileId, reader))!;
      expect((h.events[0].data as any).personal).toBe('[personal data withheld]');
      for (const s of SECRETS) expect(JSON.stringify(h)).not.toContain(s);
    }
    expect(await reveals()).toHaveLength(before);
  });

  it('an erased subject reads [erased] for every role', async () => {
    await env.keys.erase(wangSubject, (d) => ({ event: { ...d }, metadata: { actorId: 'head.city' }, erasedAt: env.clock.now().toISOString() }));
    for (const reader of [who('officer', 'east-s1'), who('auditor', 'city')]) {
      const reg = (await history.history('petition', petitionId, reader))!.events[0].data as any;
      expect(reg.petitioners[0]).toEqual({ name: ERASED, phone: ERASED, email: ERASED, idNumber: ERASED, address: ERASED });
    }
  });
});
