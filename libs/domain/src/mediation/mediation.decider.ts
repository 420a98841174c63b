import { requireNamedUser } from '../directory/named-person';
import type { Role } from '../common/actor';
import type { Decider, DecisionContext } from '../common/decider';
import { forbidden, notFound, ruleViolation } from '../common/domain-error';
import { periodEnd } from '../calendar/day-counting';
import { daysBetween, endOfDay, isLocalDate, LocalDate, localDateOf } from '../calendar/local-date';
import {
  cancelPendingDeadlines,
  decideAcknowledge,
  decideLadderStep,
  meetDeadlines,
  openDatedDeadline,
  openDeadline,
} from '../deadlines/deadline.decisions';
import { isDeadlineEvent } from '../deadlines/deadline.events';
import { countedBy, decideRecompute } from '../deadlines/deadline.recompute';
import { Deadlines, evolveDeadlines, isPending, pendingOfKind } from '../deadlines/deadline.state';
import type { DeadlineRule } from '../rules/rule-book';
import type { MediationCommand } from './mediation.commands';
import {
  AGREEMENT_PARTIES,
  APPLICATION_FORMS,
  ArbitrationGround,
  CLAIM_TYPES,
  ClaimTotals,
  ClaimType,
  FAILURE_REASONS,
  MediationEvent,
  MediationStatus,
  OBLIGATION_SIDES,
} from './mediation.events';
import { evolveMediation, initialMediationState, MediationFacts, MediationState, ObligationState } from './mediation.state';

const LDMAL = 'LDMAL';
const LAL = '法律援助法';

/** Deadline kinds of a mediation case (rule key = `mediation.<kind>`; `obligation` deadlines are dated). */
export const MEDIATION_DEADLINE_KINDS = ['acceptance', 'statutory', 'period', 'legalAidDecision', 'legalAidAssignment', 'obligation'] as const;

/** The clocks of the mediation itself (not legal aid, not obligations). */
const MEDIATION_CLOCKS = ['acceptance', 'statutory', 'period'];

type CommandType = MediationCommand['type'];

/** Who may issue each command (domain-spec §0 roles; auditors never; `system` only for timers). */
export const MEDIATION_COMMAND_ROLES: Readonly<Record<CommandType, readonly Role[]>> = {
  ApplyForMediation: ['intake', 'officer', 'mediator'],
  AcceptApplication: ['officer', 'head'],
  RejectApplication: ['officer', 'head'],
  AssignMediator: ['officer', 'head'],
  ScheduleSession: ['mediator', 'officer'],
  RecordSessionHeld: ['mediator'],
  ExtendMediationPeriod: ['head'],
  RecordAgreement: ['mediator'],
  SignAgreement: ['mediator', 'officer'],
  SealAgreement: ['head'],
  RecordMediationFailed: ['mediator', 'head'],
  RecordWorkerInformed: ['intake', 'officer', 'mediator'],
  RecordPerformance: ['mediator', 'officer'],
  RecordBreach: ['mediator', 'officer', 'head'],
  ReferToArbitration: ['mediator', 'officer', 'head'],
  AdvisePaymentOrder: ['mediator', 'officer', 'head'],
  RecordArbitrationFiled: ['intake', 'officer', 'mediator'],
  RequestLegalAid: ['intake', 'officer', 'mediator'],
  DecideLegalAid: ['head'],
  AssignLegalAidLawyer: ['officer', 'head'],
  CloseMediation: ['head'],
  ExpireDeadline: ['system'],
  AcknowledgeEscalation: ['supervisor', 'head'],
  RecomputeDeadlines: ['system'],
};

/** Before an agreement takes effect: the mediation clocks run. */
const BEFORE_AGREEMENT: readonly MediationStatus[] = ['Accepted', 'Mediating', 'Agreed'];
const OPEN_CASE: readonly MediationStatus[] = [
  'Applied',
  'Accepted',
  'Rejected',
  'Mediating',
  'Agreed',
  'Failed',
  'Performing',
  'Performed',
  'Breached',
  'ReferredToArbitration',
  'PaymentOrderAdvised',
];
const CLOSABLE: readonly MediationStatus[] = ['Rejected', 'Performed', 'Failed', 'ReferredToArbitration', 'PaymentOrderAdvised'];
const CLOSE_OUTCOME = {
  Rejected: 'rejected',
  Performed: 'performed',
  Failed: 'failed',
  ReferredToArbitration: 'referred_to_arbitration',
  PaymentOrderAdvised: 'payment_order_advised',
} as const;

/** LDMAL art. 16: 拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金 — the employer's breach of these allows a 支付令. */
export const paymentOrderApplies = (o: ObligationState): boolean =>
  o.payer === 'employer' && (o.claimType === 'wages' || o.claimType === 'severance' || (o.claimType === 'injury' && o.injuryMedicalCosts === true));

/** Events of one decision, with the deadlines as they stand after each event (for deadline ids). */
class Emitter {
  readonly events: MediationEvent[] = [];
  constructor(public deadlines: Deadlines) {}
  push(...events: MediationEvent[]): this {
    for (const e of events) {
      this.events.push(e);
      if (isDeadlineEvent(e)) this.deadlines = evolveDeadlines(this.deadlines, e);
    }
    return this;
  }
}

const ms = (instant: string): number => Date.parse(instant);
const notAfter = (now: string, dueAt: string): boolean => ms(now) <= ms(dueAt);
const isInstant = (s: unknown): s is string => typeof s === 'string' && s.length >= 10 && !Number.isNaN(Date.parse(s));
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Yuan with at most two decimals (fen). */
const isYuan = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && Math.abs(round2(x) - x) < 1e-9;

/** Same day `years` later; 29 Feb falls to 28 Feb (民法典 art. 202: no corresponding day → last day of the month). */
export function addYearsLocal(date: LocalDate, years: number): LocalDate {
  const y = Number(date.slice(0, 4)) + years;
  const m = Number(date.slice(5, 7));
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const d = Math.min(Number(date.slice(8, 10)), lastDay);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function totalsByType(items: ReadonlyArray<{ type: ClaimType; amountYuan: number }>): ClaimTotals {
  const out: ClaimTotals = {};
  for (const i of items) out[i.type] = round2((out[i.type] ?? 0) + i.amountYuan);
  return out;
}

const sum = (xs: readonly number[]): number => round2(xs.reduce((a, b) => a + b, 0));

function requireStatus(state: MediationState, allowed: readonly MediationStatus[], command: CommandType): void {
  if (!(allowed as readonly string[]).includes(state.status))
    throw ruleViolation('INVALID_TRANSITION', `${command} is not allowed when the mediation is ${state.status}`, {
      status: state.status,
      command,
      allowed,
    });
}

function requireRole(ctx: DecisionContext, allowed: readonly Role[], command: CommandType): void {
  if (ctx.actor.role === 'auditor' || !allowed.includes(ctx.actor.role))
    throw forbidden('ROLE_NOT_ALLOWED', `role ${ctx.actor.role} may not ${command}`);
}

function requireWithin(ctx: DecisionContext, unit: string): void {
  if (!ctx.org.isWithin(unit, ctx.actor.orgUnit))
    throw forbidden('OUTSIDE_ORG_SUBTREE', `the case (${unit}) is outside the subtree of ${ctx.actor.orgUnit}`);
}

function requireText(value: string | undefined, code: string, what: string): void {
  if (typeof value !== 'string' || !value.trim()) throw ruleViolation(code, `${what} is required`);
}

/** The assigned mediator, and only they, runs sessions, drafts and signs for the mediation body. */
function requireAssignedMediator(state: MediationState, ctx: DecisionContext): void {
  if (!state.mediatorId) throw ruleViolation('MEDIATOR_NOT_ASSIGNED', 'no mediator is assigned to this case');
  if (ctx.actor.id !== state.mediatorId) throw forbidden('NOT_ASSIGNED_MEDIATOR', `only the assigned mediator (${state.mediatorId}) may do this`);
}

/** Rule lookups use the case's jurisdiction and the rule in force on the day the application was received. */
type RuleScope = Pick<MediationFacts, 'jurisdiction' | 'receivedDate'>;
const ruleOf = (f: RuleScope, ctx: DecisionContext, kind: string): DeadlineRule => ctx.rules.deadline(`mediation.${kind}`, f.jurisdiction, f.receivedDate);
const limitOf = (f: RuleScope, ctx: DecisionContext, key: string): number => ctx.rules.limit(`mediation.${key}`, f.jurisdiction, f.receivedDate);

/** Legal-aid periods are those of the 法律援助法 in force on the day of the request. */
function legalAidRule(f: MediationFacts, ctx: DecisionContext, kind: string, on: LocalDate): DeadlineRule {
  try {
    return ctx.rules.deadline(`mediation.${kind}`, f.jurisdiction, on);
  } catch {
    throw ruleViolation('RULE_NOT_IN_FORCE', `no legal-aid rule mediation.${kind} in force on ${on}`, { kind, on });
  }
}

function eligible(
  f: MediationFacts,
  reason: ArbitrationGround,
  legalBasis: string,
  ctx: DecisionContext,
): MediationEvent {
  return {
    type: 'ArbitrationEligible',
    data: {
      orgUnit: f.orgUnit,
      reason,
      legalBasis,
      workerToBeInformed: true,
      eligibleAt: ctx.now,
      eligibleDate: localDateOf(ctx.now),
      arbitrationLimitationDate: f.limitationRecountedDate,
    },
  };
}

/** Mediation ended without agreement: the clocks stop and the worker may go to arbitration. */
function failMediation(
  out: Emitter,
  state: MediationState,
  f: MediationFacts,
  reason: MediationFailureReasonAll,
  ground: ArbitrationGround,
  ctx: DecisionContext,
  note?: string,
): void {
  out.push({
    type: 'MediationFailed',
    data: { orgUnit: f.orgUnit, reason, ...(note ? { note } : {}), failedAt: ctx.now, recordedBy: ctx.actor.id, legalBasis: `${LDMAL} art. 14` },
  });
  out.push(...cancelPendingDeadlines(out.deadlines, 'mediation_failed', MEDIATION_CLOCKS));
  if (!state.arbitration.eligible) out.push(eligible(f, ground, `${LDMAL} art. 5, 14`, ctx));
}
type MediationFailureReasonAll = Extract<MediationEvent, { type: 'MediationFailed' }>['data']['reason'];

function decideApply(command: Extract<MediationCommand, { type: 'ApplyForMediation' }>, state: MediationState, ctx: DecisionContext): MediationEvent[] {
  // Scope before existence: an outsider is refused alike whether or not the case exists.
  if (!ctx.org.has(command.orgUnit)) throw ruleViolation('UNKNOWN_ORG_UNIT', `unknown org unit ${command.orgUnit}`, { orgUnit: command.orgUnit });
  if (ctx.actor.role !== 'system') requireWithin(ctx, command.orgUnit);
  if (ctx.actor.role !== 'system' && state.facts) requireWithin(ctx, state.facts.orgUnit);
  if (state.status !== 'None')
    throw ruleViolation('MEDIATION_ALREADY_EXISTS', `mediation ${command.mediationId} already exists`, { mediationId: command.mediationId });
  requireText(command.mediationId, 'MEDIATION_ID_REQUIRED', 'the mediation id');
  if (!APPLICATION_FORMS.includes(command.form)) throw ruleViolation('INVALID_FORM', `unknown application form ${command.form}`);

  const now = ctx.now;
  const today = localDateOf(now);
  const workers = command.workers ?? [];
  if (workers.length === 0) throw ruleViolation('WORKERS_REQUIRED', 'at least one worker must be named');
  const workerIds = workers.map((w) => w.workerId);
  if (workerIds.some((id) => !id) || new Set(workerIds).size !== workerIds.length)
    throw ruleViolation('DUPLICATE_WORKER', 'every worker needs a distinct worker id');
  if (workers.some((w) => !w.name || !w.name.trim())) throw ruleViolation('WORKER_NAME_REQUIRED', 'every worker needs a name');
  requireText(command.employer?.name, 'EMPLOYER_REQUIRED', 'the employer');
  const claims = command.claims ?? [];
  if (claims.length === 0) throw ruleViolation('CLAIMS_REQUIRED', 'at least one claim is required');
  for (const c of claims) {
    if (!CLAIM_TYPES.includes(c.type)) throw ruleViolation('INVALID_CLAIM_TYPE', `unknown claim type ${c.type}`);
    if (!isYuan(c.amountYuan)) throw ruleViolation('INVALID_AMOUNT', 'claim amounts are non-negative yuan with at most two decimals', { amountYuan: c.amountYuan });
  }
  if (!Number.isInteger(command.headcount) || command.headcount < workers.length)
    throw ruleViolation('INVALID_HEADCOUNT', 'the headcount is a whole number, at least the number of workers named', {
      headcount: command.headcount,
      workersNamed: workers.length,
    });
  if (!isLocalDate(command.disputeDate) || command.disputeDate > today)
    throw ruleViolation('INVALID_DISPUTE_DATE', 'the dispute date is a past date (YYYY-MM-DD)', { disputeDate: command.disputeDate });
  if (command.fromPetition !== undefined) requireText(command.fromPetition?.petitionId, 'PETITION_ID_REQUIRED', 'the linked petition id');

  const jurisdiction = ctx.jurisdiction;
  const lookup: RuleScope = { jurisdiction, receivedDate: today };
  const collective = command.headcount >= limitOf(lookup, ctx, 'collectiveHeadcount') && command.commonClaim === true;
  const representatives = command.representatives ?? [];
  if (new Set(representatives).size !== representatives.length) throw ruleViolation('DUPLICATE_WORKER', 'a representative is listed twice');
  const unknown = representatives.filter((r) => !workerIds.includes(r));
  if (unknown.length) throw ruleViolation('UNKNOWN_WORKER', 'representatives must be among the named workers', { workerIds: unknown });
  if (collective) {
    if (representatives.length === 0)
      throw ruleViolation('REPRESENTATIVES_REQUIRED', `a collective case (${command.headcount} workers, common claim) elects representatives (${LDMAL} art. 7)`);
    const max = limitOf(lookup, ctx, 'maxRepresentatives');
    if (representatives.length > max)
      throw ruleViolation('TOO_MANY_REPRESENTATIVES', `at most ${max} representatives`, { max, given: representatives.length });
  }

  const limitationDate = addYearsLocal(command.disputeDate, limitOf(lookup, ctx, 'arbitrationLimitationYears'));
  const interrupted = limitationDate >= today;
  const migrantWorkerCount = workers.filter((w) => w.migrantWorker === true).length;

  const out = new Emitter(state.deadlines);
  out.push({
    type: 'MediationApplied',
    data: {
      mediationId: command.mediationId,
      orgUnit: command.orgUnit,
      form: command.form,
      ...(command.form === 'oral' ? { recordedBy: ctx.actor.id } : {}),
      workers: workers.map((w) => ({
        workerId: w.workerId,
        name: w.name,
        ...(w.idNumber ? { idNumber: w.idNumber } : {}),
        ...(w.phone ? { phone: w.phone } : {}),
        migrantWorker: w.migrantWorker === true,
      })),
      employer: { name: command.employer.name, ...(command.employer.creditCode ? { creditCode: command.employer.creditCode } : {}) },
      facts: command.facts ?? '',
      representatives,
      claims: claims.map((c) => ({ type: c.type, amountYuan: c.amountYuan })),
      claimTotalsByType: totalsByType(claims),
      claimTotalYuan: sum(claims.map((c) => c.amountYuan)),
      headcount: command.headcount,
      commonClaim: command.commonClaim === true,
      collective,
      migrantWorkerCount,
      involvesMigrantWorkers: migrantWorkerCount > 0,
      ...(command.fromPetition ? { fromPetition: { petitionId: command.fromPetition.petitionId } } : {}),
      receivedAt: now,
      receivedDate: today,
      jurisdiction,
      appliedBy: ctx.actor.id,
      disputeDate: command.disputeDate,
      arbitrationLimitationDate: limitationDate,
      limitationInterruptedOn: interrupted ? today : null,
      limitationRecountedDate: interrupted ? addYearsLocal(today, limitOf(lookup, ctx, 'arbitrationLimitationYears')) : null,
      limitationLegalBasis: `${LDMAL} art. 27`,
    },
  });
  out.push(openDeadline(out.deadlines, 'acceptance', ruleOf(lookup, ctx, 'acceptance'), today, command.orgUnit, ctx));
  out.push(openDeadline(out.deadlines, 'statutory', ruleOf(lookup, ctx, 'statutory'), today, command.orgUnit, ctx));
  return out.events;
}

function decideExpire(
  command: Extract<MediationCommand, { type: 'ExpireDeadline' }>,
  state: MediationState,
  f: MediationFacts,
  ctx: DecisionContext,
): MediationEvent[] {
  const deadlineId = command.deadlineId;
  const out = new Emitter(state.deadlines);
  out.push(...decideLadderStep(state.deadlines, command, ctx));
  if (!out.events.some((e) => e.type === 'DeadlineLapsed')) return out.events;
  const d = state.deadlines[deadlineId];
  const noAgreementYet = (['Applied', ...BEFORE_AGREEMENT] as string[]).includes(state.status);
  if (d.kind === 'statutory' && noAgreementYet && !state.arbitration.eligible)
    out.push(eligible(f, 'statutory_period_lapsed', `${LDMAL} art. 14`, ctx));
  if (d.kind === 'period' && (BEFORE_AGREEMENT as string[]).includes(state.status)) failMediation(out, state, f, 'period_lapsed', 'period_lapsed', ctx);
  return out.events;
}

function decide(command: MediationCommand, state: MediationState, rawCtx: DecisionContext): MediationEvent[] {
  // Canonical ISO instants, so that instants compare correctly as strings everywhere downstream.
  const ctx: DecisionContext = { ...rawCtx, now: new Date(rawCtx.now).toISOString() };
  const now = ctx.now;
  const today = localDateOf(now);
  const actor = ctx.actor;

  // Hearth itself opens the case of a petition routed out to mediation (the route-out was decided by the petition's
  // officer or head within their subtree); no one else acts as `system`.
  const fromRoutedPetition = command.type === 'ApplyForMediation' && actor.role === 'system' && command.fromPetition !== undefined;
  if (!fromRoutedPetition) requireRole(ctx, MEDIATION_COMMAND_ROLES[command.type], command.type);
  if (command.type === 'ApplyForMediation') return decideApply(command, state, ctx);
  if (state.status === 'None' || !state.facts) throw notFound('MEDIATION_NOT_FOUND', 'no such mediation case');
  const f = state.facts;
  if (actor.role !== 'system') requireWithin(ctx, f.orgUnit);

  const out = new Emitter(state.deadlines);
  switch (command.type) {
    case 'ExpireDeadline':
      return decideExpire(command, state, f, ctx);

    case 'AcknowledgeEscalation':
      return decideAcknowledge(state.deadlines, command.deadlineId, command.level, command.note, ctx);

    // Counted periods follow the calendar; an obligation's due date is given by the agreement (no rule: never recounted).
    case 'RecomputeDeadlines':
      return decideRecompute(
        state.deadlines,
        ctx,
        countedBy((d) =>
          d.kind === 'obligation' ? undefined : d.kind.startsWith('legalAid') ? legalAidRule(f, ctx, d.kind, d.startDate) : ruleOf(f, ctx, d.kind),
        ),
      );

    case 'AcceptApplication':
    case 'RejectApplication': {
      requireStatus(state, ['Applied'], command.type);
      const acc = pendingOfKind(state.deadlines, 'acceptance')[0];
      const onTime = acc ? notAfter(now, acc.dueAt) : true;
      const legalBasis = ruleOf(f, ctx, 'acceptance').legalBasis;
      if (command.type === 'AcceptApplication') {
        out.push({ type: 'MediationAccepted', data: { orgUnit: f.orgUnit, acceptedAt: now, acceptedDate: today, acceptedBy: actor.id, onTime, legalBasis } });
        out.push(...meetDeadlines(out.deadlines, 'acceptance', now));
        out.push(openDeadline(out.deadlines, 'period', ruleOf(f, ctx, 'period'), today, f.orgUnit, ctx));
        return out.events;
      }
      requireText(command.reason, 'REASON_REQUIRED', 'a written reason for rejection');
      out.push({ type: 'MediationRejected', data: { orgUnit: f.orgUnit, reason: command.reason, rejectedAt: now, rejectedBy: actor.id, onTime, legalBasis } });
      out.push(...meetDeadlines(out.deadlines, 'acceptance', now));
      out.push(...cancelPendingDeadlines(out.deadlines, 'application_rejected', MEDIATION_CLOCKS));
      // 不愿调解 … 可以向劳动争议仲裁委员会申请仲裁 (art. 5).
      if (!state.arbitration.eligible) out.push(eligible(f, 'application_rejected', `${LDMAL} art. 5`, ctx));
      return out.events;
    }

    case 'AssignMediator': {
      requireStatus(state, ['Accepted', 'Mediating'], command.type);
      requireText(command.mediatorId, 'MEDIATOR_REQUIRED', 'the mediator id');
      requireNamedUser(ctx, command.mediatorId, ['mediator'], state.facts!.orgUnit, 'MEDIATOR_INVALID', 'mediatorId');
      if (state.mediatorId === command.mediatorId)
        throw ruleViolation('MEDIATOR_ALREADY_ASSIGNED', `${command.mediatorId} is already the mediator`);
      return out.push({
        type: 'MediatorAssigned',
        data: {
          mediatorId: command.mediatorId,
          ...(state.mediatorId ? { previousMediatorId: state.mediatorId } : {}),
          assignedBy: actor.id,
          assignedAt: now,
        },
      }).events;
    }

    case 'ScheduleSession': {
      requireStatus(state, ['Accepted', 'Mediating'], command.type);
      if (!state.mediatorId) throw ruleViolation('MEDIATOR_NOT_ASSIGNED', 'assign a mediator before scheduling sessions');
      if (!isInstant(command.at)) throw ruleViolation('INVALID_DATE', 'the session time is an ISO instant', { at: command.at });
      const at = new Date(command.at).toISOString();
      if (ms(at) < ms(now)) throw ruleViolation('SESSION_IN_PAST', 'a session is scheduled for a future time', { at });
      requireText(command.place, 'PLACE_REQUIRED', 'the session place');
      const sessionId = `session-${state.sessionCount + 1}`;
      return out.push({ type: 'SessionScheduled', data: { sessionId, at, place: command.place, scheduledBy: actor.id, scheduledAt: now } }).events;
    }

    case 'RecordSessionHeld': {
      requireStatus(state, ['Accepted', 'Mediating'], command.type);
      requireAssignedMediator(state, ctx);
      const session = state.sessions[command.sessionId];
      if (!session) throw notFound('SESSION_NOT_FOUND', `no session ${command.sessionId}`);
      if (session.held) throw ruleViolation('SESSION_ALREADY_HELD', `session ${command.sessionId} is already recorded as held`);
      return out.push({
        type: 'SessionHeld',
        data: { sessionId: session.sessionId, notes: command.notes ?? '', heldAt: now, recordedBy: actor.id, startedMediation: state.status === 'Accepted' },
      }).events;
    }

    case 'ExtendMediationPeriod': {
      requireStatus(state, BEFORE_AGREEMENT, command.type);
      const consent = command.consent ?? {};
      const missing = (['workerConsentRecordedAt', 'employerConsentRecordedAt'] as const).filter(
        (k) => !isInstant(consent[k]) || ms(consent[k]!) > ms(now),
      );
      if (missing.length)
        throw ruleViolation('CONSENT_REQUIRED', 'the period is extended only with both parties\u2019 recorded consent', { missing });
      if (!Number.isInteger(command.days) || command.days < 1) throw ruleViolation('INVALID_DAYS', 'extension days are a positive whole number');
      const max = limitOf(f, ctx, 'maxPeriodExtensionDays');
      const total = state.extensionDaysUsed + command.days;
      if (total > max) throw ruleViolation('EXTENSION_LIMIT_EXCEEDED', `extensions total at most ${max} days`, { max, requested: total });
      const period = pendingOfKind(state.deadlines, 'period')[0];
      if (!period) throw ruleViolation('NO_PERIOD_TO_EXTEND', 'the mediation period is not running');
      const rule = ruleOf(f, ctx, 'period');
      const newDueDate = periodEnd(period.dueDate, { days: command.days, unit: 'calendar', shiftOffRestDay: rule.shiftOffRestDay }, ctx.calendar);
      out.push({
        type: 'MediationPeriodExtended',
        data: {
          days: command.days,
          previousDueDate: period.dueDate,
          newDueDate,
          totalExtensionDays: total,
          consent: {
            workerConsentRecordedAt: new Date(consent.workerConsentRecordedAt!).toISOString(),
            employerConsentRecordedAt: new Date(consent.employerConsentRecordedAt!).toISOString(),
          },
          approvedBy: actor.id,
          extendedAt: now,
          legalBasis: rule.legalBasis,
        },
      });
      out.push({
        type: 'DeadlineMoved',
        data: {
          deadlineId: period.deadlineId,
          kind: period.kind,
          dueDate: newDueDate,
          dueAt: endOfDay(newDueDate),
          reason: 'extended_with_consent',
          calendarVersion: ctx.calendar.version,
          extensionDays: command.days,
        },
      });
      return out.events;
    }

    case 'RecordAgreement': {
      requireStatus(state, ['Mediating', 'Agreed'], command.type);
      requireAssignedMediator(state, ctx);
      const obligations = command.obligations ?? [];
      if (obligations.length === 0) throw ruleViolation('OBLIGATIONS_REQUIRED', 'an agreement lists at least one obligation');
      const ids = obligations.map((o) => o.obligationId);
      if (ids.some((id) => !id) || new Set(ids).size !== ids.length) throw ruleViolation('DUPLICATE_OBLIGATION', 'every obligation needs a distinct id');
      for (const o of obligations) {
        if (!OBLIGATION_SIDES.includes(o.payer) || !OBLIGATION_SIDES.includes(o.payee) || o.payer === o.payee)
          throw ruleViolation('INVALID_OBLIGATION', `obligation ${o.obligationId}: payer and payee are the two parties`);
        if (!CLAIM_TYPES.includes(o.claimType)) throw ruleViolation('INVALID_CLAIM_TYPE', `unknown claim type ${o.claimType}`);
        if (!isYuan(o.amountYuan)) throw ruleViolation('INVALID_AMOUNT', `obligation ${o.obligationId}: amount in yuan`, { amountYuan: o.amountYuan });
        if (!isLocalDate(o.dueDate) || o.dueDate < today)
          throw ruleViolation('INVALID_DUE_DATE', `obligation ${o.obligationId}: the due date is today or later`, { dueDate: o.dueDate });
        requireText(o.description, 'DESCRIPTION_REQUIRED', `obligation ${o.obligationId}: a description`);
      }
      const clean = obligations.map((o) => ({
        obligationId: o.obligationId,
        payer: o.payer,
        payee: o.payee,
        description: o.description,
        amountYuan: o.amountYuan,
        dueDate: o.dueDate,
        claimType: o.claimType,
        ...(o.injuryMedicalCosts ? { injuryMedicalCosts: true } : {}),
      }));
      return out.push({
        type: 'AgreementDrafted',
        data: {
          version: (state.agreement?.version ?? 0) + 1,
          obligations: clean,
          agreedTotalYuan: sum(clean.map((o) => o.amountYuan)),
          agreedTotalsByType: totalsByType(clean.map((o) => ({ type: o.claimType, amountYuan: o.amountYuan }))),
          draftedBy: actor.id,
          draftedAt: now,
        },
      }).events;
    }

    case 'SignAgreement': {
      requireStatus(state, ['Agreed'], command.type);
      const a = state.agreement!;
      if (!AGREEMENT_PARTIES.includes(command.party)) throw ruleViolation('INVALID_PARTY', `unknown party ${command.party}`);
      if (command.party === 'mediator') requireAssignedMediator(state, ctx);
      if (a.signatures[command.party]) throw ruleViolation('ALREADY_SIGNED', `the ${command.party} has already signed`, { party: command.party });
      if (command.signatoryId !== undefined && command.party === 'worker' && !f.workerIds.includes(command.signatoryId))
        throw ruleViolation('UNKNOWN_WORKER', 'the signatory is not a worker of this case', { workerIds: [command.signatoryId] });
      return out.push({
        type: 'AgreementSigned',
        data: {
          version: a.version,
          party: command.party,
          ...(command.signatoryId ? { signatoryId: command.signatoryId } : {}),
          recordedBy: actor.id,
          signedAt: now,
        },
      }).events;
    }

    case 'SealAgreement': {
      requireStatus(state, ['Agreed'], command.type);
      const a = state.agreement!;
      const missing = AGREEMENT_PARTIES.filter((p) => !a.signatures[p]);
      if (missing.length)
        throw ruleViolation('AGREEMENT_NOT_COMPLETE', 'the agreement is sealed after the worker, the employer and the mediator have signed', { missing });
      const obligations = a.obligationOrder.map((id) => a.obligations[id]);
      out.push({ type: 'AgreementSealed', data: { version: a.version, sealedBy: actor.id, sealedAt: now } });
      out.push({
        type: 'AgreementEffective',
        data: {
          orgUnit: f.orgUnit,
          version: a.version,
          effectiveAt: now,
          effectiveDate: today,
          daysToAgreement: daysBetween(f.receivedDate, today),
          obligationCount: obligations.length,
          agreedTotalYuan: sum(obligations.map((o) => o.amountYuan)),
          agreedTotalsByType: totalsByType(obligations.map((o) => ({ type: o.claimType, amountYuan: o.amountYuan }))),
          headcount: f.headcount,
          collective: f.collective,
          involvesMigrantWorkers: f.involvesMigrantWorkers,
          legalBasis: `${LDMAL} art. 14`,
        },
      });
      out.push(...meetDeadlines(out.deadlines, 'period', now), ...meetDeadlines(out.deadlines, 'statutory', now));
      for (const o of obligations)
        out.push(
          openDatedDeadline(
            out.deadlines,
            'obligation',
            o.dueDate,
            `perform obligation ${o.obligationId} of the mediation agreement: ${o.description}`,
            `${LDMAL} art. 15`,
            f.orgUnit,
            ctx,
          ),
        );
      return out.events;
    }

    case 'RecordMediationFailed': {
      requireStatus(state, BEFORE_AGREEMENT, command.type);
      if (!(FAILURE_REASONS as readonly string[]).includes(command.reason))
        throw ruleViolation('INVALID_REASON', `unknown failure reason ${command.reason}`, { allowed: FAILURE_REASONS });
      failMediation(out, state, f, command.reason, 'mediation_failed', ctx, command.note);
      return out.events;
    }

    case 'RecordWorkerInformed': {
      if (!state.arbitration.workerInformPending)
        throw ruleViolation('NOTHING_TO_INFORM', 'no arbitration eligibility is waiting to be told to the worker', { status: state.status });
      requireText(command.method, 'METHOD_REQUIRED', 'how the worker was informed');
      return out.push({
        type: 'WorkerInformedOfArbitration',
        data: { method: command.method, informedBy: actor.id, informedAt: now, grounds: state.arbitration.grounds },
      }).events;
    }

    case 'RecordPerformance': {
      requireStatus(state, ['Performing'], command.type);
      const o = state.agreement!.obligations[command.obligationId];
      if (!o) throw notFound('OBLIGATION_NOT_FOUND', `no obligation ${command.obligationId}`);
      if (o.performed) throw ruleViolation('OBLIGATION_ALREADY_PERFORMED', `obligation ${o.obligationId} is performed`);
      if (!isYuan(command.amountYuan) || (command.amountYuan === 0 && o.amountYuan > 0))
        throw ruleViolation('INVALID_AMOUNT', 'a payment is a positive amount in yuan', { amountYuan: command.amountYuan });
      if (!isInstant(command.at) || ms(command.at) > ms(now)) throw ruleViolation('INVALID_DATE', 'the payment time is a past ISO instant', { at: command.at });
      const paidTotal = round2(o.paidYuan + command.amountYuan);
      if (paidTotal > o.amountYuan)
        throw ruleViolation('OVERPAYMENT', `obligation ${o.obligationId} is ${o.amountYuan} yuan`, { amountYuan: o.amountYuan, paidYuan: o.paidYuan });
      const paidAt = new Date(command.at).toISOString();
      const paidDate = localDateOf(paidAt);
      const performed = paidTotal === round2(o.amountYuan);
      out.push({
        type: 'PerformanceRecorded',
        data: {
          orgUnit: f.orgUnit,
          obligationId: o.obligationId,
          claimType: o.claimType,
          payer: o.payer,
          payee: o.payee,
          amountYuan: command.amountYuan,
          paidAt,
          paidDate,
          paidTotalYuan: paidTotal,
          outstandingYuan: round2(o.amountYuan - paidTotal),
          obligationPerformed: performed,
          onTime: paidDate <= o.dueDate,
          recordedBy: actor.id,
          recordedAt: now,
        },
      });
      if (!performed) return out.events;
      const d = o.deadlineId ? state.deadlines[o.deadlineId] : undefined;
      if (d && isPending(d)) out.push({ type: 'DeadlineMet', data: { deadlineId: d.deadlineId, kind: d.kind, metAt: now, late: !notAfter(now, d.dueAt) } });
      const all = state.agreement!.obligationOrder.map((id) => state.agreement!.obligations[id]);
      if (all.every((x) => x.obligationId === o.obligationId || x.performed)) {
        const paid = all.map((x) => ({ type: x.claimType, amountYuan: x.obligationId === o.obligationId ? paidTotal : x.paidYuan }));
        out.push({
          type: 'AgreementPerformed',
          data: {
            orgUnit: f.orgUnit,
            performedAt: now,
            recoveredTotalYuan: sum(paid.map((p) => p.amountYuan)),
            recoveredByType: totalsByType(paid),
            headcount: f.headcount,
            involvesMigrantWorkers: f.involvesMigrantWorkers,
          },
        });
      }
      return out.events;
    }

    case 'RecordBreach': {
      requireStatus(state, ['Performing', 'Breached'], command.type);
      const o = state.agreement!.obligations[command.obligationId];
      if (!o) throw notFound('OBLIGATION_NOT_FOUND', `no obligation ${command.obligationId}`);
      if (o.performed) throw ruleViolation('OBLIGATION_ALREADY_PERFORMED', `obligation ${o.obligationId} is performed`);
      if (o.breached) throw ruleViolation('OBLIGATION_ALREADY_BREACHED', `obligation ${o.obligationId} is already recorded as breached`);
      // 在协议约定期限内不履行 (art. 15): a breach is recorded once the agreed date has passed.
      if (notAfter(now, endOfDay(o.dueDate)))
        throw ruleViolation('OBLIGATION_NOT_DUE', `obligation ${o.obligationId} is due on ${o.dueDate}`, { dueDate: o.dueDate });
      out.push({
        type: 'ObligationBreached',
        data: {
          orgUnit: f.orgUnit,
          obligationId: o.obligationId,
          claimType: o.claimType,
          outstandingYuan: round2(o.amountYuan - o.paidYuan),
          note: command.note ?? '',
          recordedBy: actor.id,
          recordedAt: now,
          legalBasis: `${LDMAL} art. 15`,
        },
      });
      out.push(...cancelPendingDeadlines(out.deadlines, 'agreement_breached', ['obligation']));
      if (!state.arbitration.grounds.includes('agreement_breached')) out.push(eligible(f, 'agreement_breached', `${LDMAL} art. 15`, ctx));
      return out.events;
    }

    case 'ReferToArbitration':
      requireStatus(state, ['Breached'], command.type);
      return out.push({
        type: 'ReferredToArbitration',
        data: {
          orgUnit: f.orgUnit,
          ...(command.commission ? { commission: command.commission } : {}),
          ...(command.note ? { note: command.note } : {}),
          referredBy: actor.id,
          referredAt: now,
          legalBasis: `${LDMAL} art. 15`,
        },
      }).events;

    case 'AdvisePaymentOrder': {
      requireStatus(state, ['Breached'], command.type);
      const o = state.agreement!.obligations[command.obligationId];
      if (!o) throw notFound('OBLIGATION_NOT_FOUND', `no obligation ${command.obligationId}`);
      if (!o.breached) throw ruleViolation('OBLIGATION_NOT_BREACHED', `obligation ${o.obligationId} is not recorded as breached`);
      if (!paymentOrderApplies(o))
        throw ruleViolation(
          'PAYMENT_ORDER_NOT_APPLICABLE',
          `a payment order covers the employer's unpaid wages, injury medical costs, severance or compensation (${LDMAL} art. 16)`,
          { claimType: o.claimType, payer: o.payer },
        );
      return out.push({
        type: 'PaymentOrderAdvised',
        data: {
          orgUnit: f.orgUnit,
          obligationId: o.obligationId,
          claimType: o.claimType,
          outstandingYuan: round2(o.amountYuan - o.paidYuan),
          ...(command.court ? { court: command.court } : {}),
          ...(command.note ? { note: command.note } : {}),
          advisedBy: actor.id,
          advisedAt: now,
          legalBasis: `${LDMAL} art. 16`,
        },
      }).events;
    }

    case 'RecordArbitrationFiled': {
      if (!state.arbitration.eligible) throw ruleViolation('NOT_ARBITRATION_ELIGIBLE', 'no ground for arbitration is recorded on this case', { status: state.status });
      if (state.arbitration.filedOn) throw ruleViolation('ARBITRATION_ALREADY_FILED', `arbitration was filed on ${state.arbitration.filedOn}`);
      if (!isLocalDate(command.filedAt) || command.filedAt > today) throw ruleViolation('INVALID_DATE', 'the filing date is a past date', { filedAt: command.filedAt });
      const accepted = command.acceptedByCommissionOn;
      if (accepted !== undefined && (!isLocalDate(accepted) || accepted < command.filedAt || accepted > today))
        throw ruleViolation('INVALID_DATE', 'the commission accepted on or after filing, not in the future', { acceptedByCommissionOn: accepted });
      // Award within 45 days of the commission's acceptance, +15 if extended (art. 43): tracked, not a deadline.
      const base = accepted ?? command.filedAt;
      const days = limitOf(f, ctx, 'arbitrationAwardDays');
      const ext = limitOf(f, ctx, 'arbitrationAwardExtensionDays');
      return out.push({
        type: 'ArbitrationFiled',
        data: {
          filedOn: command.filedAt,
          ...(accepted ? { acceptedByCommissionOn: accepted } : {}),
          ...(command.commission ? { commission: command.commission } : {}),
          awardDueDate: periodEnd(base, { days, unit: 'calendar', shiftOffRestDay: true }, ctx.calendar),
          awardLatestDueDate: periodEnd(base, { days: days + ext, unit: 'calendar', shiftOffRestDay: true }, ctx.calendar),
          recordedBy: actor.id,
          recordedAt: now,
          legalBasis: `${LDMAL} art. 43`,
        },
      }).events;
    }

    case 'RequestLegalAid': {
      requireStatus(state, OPEN_CASE, command.type);
      if (state.legalAid && (state.legalAid.status === 'requested' || state.legalAid.status === 'granted'))
        throw ruleViolation('LEGAL_AID_ALREADY_REQUESTED', 'a legal-aid request is already pending', { legalAid: state.legalAid.status });
      const ids = command.workerIds ?? [];
      if (ids.length === 0) throw ruleViolation('WORKERS_REQUIRED', 'legal aid is requested for at least one worker');
      if (new Set(ids).size !== ids.length) throw ruleViolation('DUPLICATE_WORKER', 'a worker is listed twice');
      const unknown = ids.filter((id) => !f.workerIds.includes(id));
      if (unknown.length) throw ruleViolation('UNKNOWN_WORKER', 'legal aid is requested for workers of this case', { workerIds: unknown });
      if (command.migrantWageClaim === true) {
        const notMigrant = ids.filter((id) => !f.migrantWorkerIds.includes(id));
        const wageClaim = f.claims.some((c) => c.type === 'wages');
        if (notMigrant.length || !wageClaim)
          throw ruleViolation('NOT_MIGRANT_WAGE_CLAIM', 'only migrant workers claiming wages count as a migrant wage claim (法律援助法 art. 42)', {
            notMigrant,
            wageClaim,
          });
      }
      const rule = legalAidRule(f, ctx, 'legalAidDecision', today);
      out.push({
        type: 'LegalAidRequested',
        data: {
          orgUnit: f.orgUnit,
          requestNo: (state.legalAid?.requestNo ?? 0) + 1,
          workerIds: ids,
          workerCount: ids.length,
          migrantWageClaim: command.migrantWageClaim === true,
          ...(command.meansTested ? { meansTest: { eligible: command.meansTested.eligible === true } } : {}),
          requestedBy: actor.id,
          requestedAt: now,
        },
      });
      out.push(openDeadline(out.deadlines, 'legalAidDecision', rule, today, f.orgUnit, ctx));
      return out.events;
    }

    case 'DecideLegalAid': {
      requireStatus(state, OPEN_CASE, command.type);
      const la = state.legalAid;
      if (!la || la.status !== 'requested') throw ruleViolation('NO_PENDING_LEGAL_AID_REQUEST', 'no legal-aid request awaits a decision');
      requireText(command.reason, 'REASON_REQUIRED', 'the reason for the legal-aid decision');
      const meansTest = command.meansTest ? { eligible: command.meansTest.eligible === true } : la.meansTest;
      // Migrant workers claiming wages are exempt from the means test (art. 42); everyone else needs one.
      const waived = command.granted && la.migrantWageClaim;
      if (command.granted && !waived) {
        if (!meansTest) throw ruleViolation('MEANS_TEST_REQUIRED', `granting legal aid needs a means-test result unless a migrant worker claims wages (${LAL} art. 42)`);
        if (!meansTest.eligible) throw ruleViolation('MEANS_TEST_NOT_PASSED', 'the means test found the applicant not eligible');
      }
      const dec = pendingOfKind(state.deadlines, 'legalAidDecision')[0];
      out.push({
        type: 'LegalAidDecided',
        data: {
          orgUnit: f.orgUnit,
          requestNo: la.requestNo,
          granted: command.granted,
          reason: command.reason,
          meansTestWaived: waived,
          ...(meansTest ? { meansTest } : {}),
          decidedBy: actor.id,
          decidedAt: now,
          onTime: dec ? notAfter(now, dec.dueAt) : true,
          legalBasis: waived ? `${LAL} art. 42, 43` : `${LAL} art. 43`,
        },
      });
      out.push(...meetDeadlines(out.deadlines, 'legalAidDecision', now));
      if (command.granted) out.push(openDeadline(out.deadlines, 'legalAidAssignment', legalAidRule(f, ctx, 'legalAidAssignment', today), today, f.orgUnit, ctx));
      return out.events;
    }

    case 'AssignLegalAidLawyer': {
      requireStatus(state, OPEN_CASE, command.type);
      const la = state.legalAid;
      if (!la || la.status !== 'granted') throw ruleViolation('LEGAL_AID_NOT_GRANTED', 'no granted legal aid awaits a lawyer', { legalAid: la?.status ?? null });
      requireText(command.lawyer?.name, 'LAWYER_REQUIRED', 'the lawyer');
      const asg = pendingOfKind(state.deadlines, 'legalAidAssignment')[0];
      out.push({
        type: 'LegalAidLawyerAssigned',
        data: {
          requestNo: la.requestNo,
          lawyer: {
            name: command.lawyer.name,
            ...(command.lawyer.firm ? { firm: command.lawyer.firm } : {}),
            ...(command.lawyer.licenceNumber ? { licenceNumber: command.lawyer.licenceNumber } : {}),
          },
          assignedBy: actor.id,
          assignedAt: now,
          onTime: asg ? notAfter(now, asg.dueAt) : true,
          legalBasis: `${LAL} art. 43`,
        },
      });
      out.push(...meetDeadlines(out.deadlines, 'legalAidAssignment', now));
      return out.events;
    }

    case 'CloseMediation': {
      requireStatus(state, CLOSABLE, command.type);
      requireText(command.reason, 'REASON_REQUIRED', 'the reason for closing');
      out.push({
        type: 'MediationClosed',
        data: {
          orgUnit: f.orgUnit,
          outcome: CLOSE_OUTCOME[state.status as keyof typeof CLOSE_OUTCOME],
          reason: command.reason,
          closedBy: actor.id,
          closedAt: now,
          closedDate: today,
        },
      });
      out.push(...cancelPendingDeadlines(out.deadlines, 'case_closed'));
      return out.events;
    }
  }
}

export const mediationDecider: Decider<MediationCommand, MediationEvent, MediationState> = {
  category: 'mediation',
  initialState: initialMediationState,
  evolve: evolveMediation,
  decide,
};
