/* eslint-disable @typescript-eslint/no-explicit-any */
import { HearthUnderTest } from '@hearth/testing/hearth-process';
import { OpenApiDoc, Operation, ValueHints, operationKey, sampleOf } from './openapi-operations';

/**
 * One case of each kind for the attack suites, in the org units the authorization table expects (petition,
 * mediation and fund at the street union east-s1, the hardship file at its grassroots union east-s1-g1), and the
 * request each operation sends to them.
 */
export interface CaseFixtures {
  petitionId: string;
  mediationId: string;
  hardshipId: string;
  fundId: string;
  subjectId: string;
}

/** Domain clock of both suites: Tue 2025-09-23 09:00 CST, real speed. */
export const CLOCK_START = '2025-09-23T09:00:00+08:00';
export const HINTS: ValueHints = { date: '2025-10-20', instant: '2025-09-23T08:00:00+08:00' };

const created = (what: string, r: { status: number; body: any }): string => {
  if (r.status >= 300 || !r.body?.id) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
};

/** A valid resident ID number (GB 11643 check character) for the n-th test household: one file per household. */
export function idNumberFor(n: number): string {
  const body = `1101011990${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (Math.floor(n / 12) % 28)).padStart(2, '0')}${String(Math.floor(n / 336) % 1000).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

let households = 0;

/** A petition at east-s1, registered and accepted (so the handling steps apply). */
export async function createPetition(h: HearthUnderTest): Promise<string> {
  const id = created(
    'petition',
    await h.request('intake.east-s1', 'POST', '/petitions', {
      orgUnit: 'east-s1',
      channel: 'letter',
      category: 'claim',
      subject: '拖欠工资',
      facts: '拖欠三个月工资',
      request: '补发',
      petitioners: [{ name: '周九', idNumber: idNumberFor(100_000 + households++) }],
      headcount: 1,
      identityKnown: true,
    }),
  );
  await h.request('officer.east-s1', 'POST', `/petitions/${id}/acceptance`, { signedBy: 'head.east-s1' });
  return id;
}

/** A mediation at east-s1, accepted, with mediator.east-s1 assigned. */
export async function createMediation(h: HearthUnderTest): Promise<string> {
  const id = created(
    'mediation',
    await h.request('intake.east-s1', 'POST', '/mediations', {
      orgUnit: 'east-s1',
      form: 'written',
      workers: [{ workerId: 'w1', name: '李四', migrantWorker: true }],
      employer: { name: '某建筑工程有限公司' },
      facts: '拖欠工资',
      claims: [{ type: 'wages', amountYuan: 36000 }],
      headcount: 1,
      commonClaim: false,
      disputeDate: '2025-08-31',
    }),
  );
  await h.request('officer.east-s1', 'POST', `/mediations/${id}/acceptance`, {});
  await h.request('officer.east-s1', 'POST', `/mediations/${id}/mediator`, { mediatorId: 'mediator.east-s1' });
  return id;
}

/** A hardship file lodged with the grassroots union east-s1-g1, for a household of its own. */
export async function createHardshipFile(h: HearthUnderTest): Promise<string> {
  return created(
    'hardship file',
    await h.request('intake.east-s1-g1', 'POST', '/hardship-files', {
      orgUnit: 'east-s1-g1',
      stats: { membersCount: 3, monthlyIncomeYuan: 1200, rigidExpenses: {}, migrantWorker: false, monthsEmployed: 24 },
      personal: { headName: '王五', idNumber: idNumberFor(households++), members: [] },
    }),
  );
}

export async function createFixtures(h: HearthUnderTest): Promise<CaseFixtures> {
  const [petitionId, mediationId, hardshipId] = await Promise.all([createPetition(h), createMediation(h), createHardshipFile(h)]);
  const fundId = created('fund', await h.request('head.east-s1', 'POST', '/funds', { fundId: 'east-s1-2025', year: 2025, source: 'union_dues', budgetYuan: 100000, orgUnit: 'east-s1' }));
  const subjects = await h.request('auditor.city', 'GET', `/privacy/subjects?caseStream=${encodeURIComponent(`petition-${petitionId}`)}`);
  const subjectId = subjects.body?.subjects?.find((s: any) => s.kind === 'person')?.subjectId;
  if (!subjectId) throw new Error(`subjects: ${subjects.status} ${JSON.stringify(subjects.body)}`);
  return { petitionId, mediationId, hardshipId, fundId, subjectId };
}

const step = async (h: HearthUnderTest, user: string, path: string, body: unknown) => {
  const r = await h.request(user, 'POST', path, body);
  if (r.status >= 300) throw new Error(`setup ${path} as ${user}: ${r.status} ${JSON.stringify(r.body)}`);
};
const answered = async (h: HearthUnderTest, id: string) => {
  await step(h, 'officer.east-s1', `/petitions/${id}/answer-draft`, { outcome: 'support', facts: '已核实', legalBasis: '信访工作条例 art. 32' });
  await step(h, 'head.east-s1', `/petitions/${id}/answer-approval`, {});
};
const reviewRequested = async (h: HearthUnderTest, id: string) => {
  await answered(h, id);
  await step(h, 'officer.east-s1', `/petitions/${id}/review-request`, { reasons: '不服处理意见' });
};

/**
 * Operations whose rule only applies in a later state: the case is brought there first, so the cells test who may
 * act when acting is possible (and not merely the order of the decider's checks).
 */
export const SETUP: Record<string, (h: HearthUnderTest, id: string) => Promise<void>> = {
  'POST /petitions/{id}/supervision-reply': (h, id) => step(h, 'supervisor.east', `/petitions/${id}/supervision`, { dueDate: HINTS.date, instructions: '书面报告办理情况' }),
  'POST /petitions/{id}/review-decision': reviewRequested,
  'POST /petitions/{id}/recheck-decision': async (h, id) => {
    await reviewRequested(h, id);
    await step(h, 'head.east', `/petitions/${id}/review-decision`, { outcome: 'upheld', facts: '维持', legalBasis: '信访工作条例 art. 35' });
    await step(h, 'officer.east-s1', `/petitions/${id}/recheck-request`, { reasons: '仍不服' });
  },
};

/** A fresh case of the kind an operation acts on, so one operation's effects (a closure, a transfer) never shape another's cells. */
export async function freshCaseFor(h: HearthUnderTest, op: Pick<Operation, 'path' | 'method'>, f: CaseFixtures, setup = true): Promise<CaseFixtures> {
  if (op.method !== 'POST' || !op.path.includes('{id}') || op.path.startsWith('/audit')) return f;
  if (op.path.startsWith('/mediations')) return { ...f, mediationId: await createMediation(h) };
  if (op.path.startsWith('/hardship-files')) return { ...f, hardshipId: await createHardshipFile(h) };
  const petitionId = await createPetition(h);
  if (setup) await SETUP[operationKey(op)]?.(h, petitionId);
  return { ...f, petitionId };
}

/** The concrete path of an operation against the fixtures (sub-resources that do not exist answer 404 to those allowed). */
export function pathFor(op: Pick<Operation, 'path' | 'method'>, f: CaseFixtures, withQuery = true): string {
  const id = op.path.startsWith('/mediations') ? f.mediationId : op.path.startsWith('/hardship-files') ? f.hardshipId : f.petitionId;
  const filled = op.path
    .replace('{category}', 'petition')
    .replace('{id}', id)
    .replace('{fundId}', f.fundId)
    .replace('{subjectId}', f.subjectId)
    .replace('{alertId}', encodeURIComponent(`petition-${f.petitionId}.none-1.L1`))
    .replace('{aidId}', 'aid-1')
    .replace('{objectionId}', 'objection-1')
    .replace('{obligationId}', 'obligation-1')
    .replace('{sessionId}', 'session-1')
    .replace('{unitId}', 'east-s1')
    .replace('{userId}', 'officer.east-s1');
  return filled + (withQuery ? (QUERY[operationKey(op)]?.(f) ?? '') : '');
}

const QUERY: Record<string, (f: CaseFixtures) => string> = {
  'GET /petitions': () => '?orgUnit=east-s1',
  'GET /petitions/stats': () => '?orgUnit=east-s1',
  'GET /mediations': () => '?orgUnit=east-s1',
  'GET /mediations/stats': () => '?orgUnit=east-s1',
  'GET /hardship-files': () => '?orgUnit=east-s1-g1',
  'GET /hardship-files/stats': () => '?orgUnit=east-s1-g1',
  'GET /funds': () => '?orgUnit=east-s1',
  'GET /privacy/subjects': (f) => `?caseStream=${encodeURIComponent(`petition-${f.petitionId}`)}`,
  'GET /audit/cases/{category}/{id}/as-of': () => '?revision=0',
};

/** Fields the schema cannot tell: the org unit a new case is registered at (the table's resource unit). */
const BODY_OVERRIDES: Record<string, Record<string, unknown>> = {
  'POST /petitions': { orgUnit: 'east-s1' },
  'POST /mediations': { orgUnit: 'east-s1' },
  'POST /hardship-files': { orgUnit: 'east-s1-g1' },
  'POST /funds': { orgUnit: 'east-s1' },
  'POST /petitions/{id}/assign-down': { toOrgUnit: 'east-s1-g1' },
  'POST /petitions/{id}/transfer': { toOrgUnit: 'east-s1-g2' },
  'POST /mediations/{id}/mediator': { mediatorId: 'mediator.east-s1' },
  'POST /petitions/{id}/handler': { officerId: 'officer.east-s1' },
  'POST /petitions/{id}/supervision-reply': { supervisionId: 'supervisionReply-1' },
};

/** A valid body for the operation (undefined when it takes none). */
export function bodyFor(doc: OpenApiDoc, op: Operation): unknown {
  if (op.method !== 'POST') return undefined;
  if (!op.body) return {};
  const base = sampleOf(doc, op.body, HINTS) as Record<string, unknown>;
  return { ...base, ...(BODY_OVERRIDES[operationKey(op)] ?? {}) };
}
