import { requireNamedUser } from '../directory/named-person';
import type { Role } from '../common/actor';
import type { Decider, DecisionContext } from '../common/decider';
import { forbidden, notFound, ruleViolation } from '../common/domain-error';
import { periodEnd } from '../calendar/day-counting';
import { isLocalDate, localDateOf } from '../calendar/local-date';
import {
  cancelPendingDeadlines,
  decideAcknowledge,
  decideLadderStep,
  meetDeadlines,
  moveDeadline,
  openDatedDeadline,
  openDeadline,
} from '../deadlines/deadline.decisions';
import { isDeadlineEvent } from '../deadlines/deadline.events';
import { countedBy, decideRecompute } from '../deadlines/deadline.recompute';
import { Deadlines, DeadlineState, evolveDeadlines, pendingOfKind } from '../deadlines/deadline.state';
import { SYSTEM_ACTOR } from '../common/actor';
import { applicationFromPetition, MediationRouting, normalizeRouting } from '../mediation/from-petition';
import { mediationDecider } from '../mediation/mediation.decider';
import { initialMediationState } from '../mediation/mediation.state';
import type { PetitionCommand } from './petition.commands';
import type { CloseReason, PetitionEvent } from './petition.events';
import { evolvePetition, initialPetitionState, PetitionState, PetitionStatus } from './petition.state';
import {
  checkAccusedOrg,
  checkPetitionerKeys,
  decideRepeat,
  decideReplyToSupervision,
  decideSupervise,
  reportUpward,
  requireNotAccused,
} from './petition.oversight';

const REGS = '信访工作条例';

/** Deadline kinds of a petition (rule key = `petition.<kind>`). */
export const PETITION_DEADLINE_KINDS = [
  'acceptance',
  'transferObjection',
  'handling',
  'assignedDown',
  'reviewWindow',
  'reviewDecision',
  'recheckWindow',
  'recheckDecision',
] as const;

type CommandType = PetitionCommand['type'];

/** Who may issue each command (domain-spec §0 roles; auditors never, `system` only for timers and closure). */
export const PETITION_COMMAND_ROLES: Readonly<Record<Exclude<CommandType, 'AcknowledgeEscalation'>, readonly Role[]>> = {
  RegisterPetition: ['intake', 'officer'],
  NotifyReceipt: ['officer', 'head'],
  AcceptPetition: ['officer', 'head'],
  NotAcceptPetition: ['officer', 'head'],
  RouteOutPetition: ['officer', 'head'],
  TransferPetition: ['officer', 'head'],
  ObjectToTransfer: ['head'],
  AssignDown: ['officer', 'supervisor', 'head'],
  SubmitCompletionReport: ['officer', 'head'],
  AssignHandler: ['officer', 'head'],
  // The assigned handler may also record progress, whatever their role (checked below).
  RecordProgress: ['officer', 'head'],
  ExtendHandling: ['head'],
  DraftAnswer: ['officer', 'head'],
  ApproveAnswer: ['head'],
  RequestReview: ['officer', 'intake', 'head'],
  DecideReview: ['head', 'officer', 'supervisor'],
  RequestRecheck: ['officer', 'intake', 'head'],
  DecideRecheck: ['head', 'officer', 'supervisor'],
  ClosePetition: ['head', 'system'],
  SupervisePetition: ['supervisor', 'head'],
  ReplyToSupervision: ['officer', 'head'],
  RecordRepeatPetition: ['intake', 'officer', 'head', 'system'],
  ExpireDeadline: ['system'],
  RecomputeDeadlines: ['system'],
};

/** Which close reasons a `ClosePetition` command may give in which status. */
const CLOSE_REASONS_BY_STATUS: Partial<Record<PetitionStatus, readonly CloseReason[]>> = {
  Registered: ['withdrawn'],
  Accepted: ['withdrawn'],
  InHandling: ['withdrawn'],
  Answered: ['resolved', 'withdrawn'],
  ReviewRequested: ['withdrawn'],
  Reviewed: ['resolved', 'withdrawn'],
  RecheckRequested: ['withdrawn'],
  NotAccepted: ['not_accepted'],
  RoutedOut: ['routed_out'],
};

const HANDLING: readonly PetitionStatus[] = ['Accepted', 'InHandling'];

/** Events of one decision, with the deadlines as they stand after each event (for deadline ids). */
class Emitter {
  readonly events: PetitionEvent[] = [];
  constructor(public deadlines: Deadlines) {}
  push(...events: PetitionEvent[]): this {
    for (const e of events) {
      this.events.push(e);
      if (isDeadlineEvent(e)) this.deadlines = evolveDeadlines(this.deadlines, e);
    }
    return this;
  }
}

const ms = (instant: string): number => Date.parse(instant);
/** Not later than the due instant (a duty met during its due date is on time). */
const notAfter = (now: string, dueAt: string): boolean => ms(now) <= ms(dueAt);

function requireStatus(state: PetitionState, allowed: readonly PetitionStatus[], command: CommandType): void {
  if (!allowed.includes(state.status))
    throw ruleViolation('INVALID_TRANSITION', `${command} is not allowed when the petition is ${state.status}`, {
      status: state.status,
      command,
      allowed,
    });
}

function requireRole(ctx: DecisionContext, allowed: readonly Role[], command: CommandType): void {
  if (!allowed.includes(ctx.actor.role)) throw forbidden('ROLE_NOT_ALLOWED', `role ${ctx.actor.role} may not ${command}`);
}

function requireWithin(ctx: DecisionContext, unit: string, what = 'the case'): void {
  if (!ctx.org.isWithin(unit, ctx.actor.orgUnit))
    throw forbidden('OUTSIDE_ORG_SUBTREE', `${what} (${unit}) is outside the subtree of ${ctx.actor.orgUnit}`);
}

function requireKnownUnit(ctx: DecisionContext, unit: string): void {
  if (!ctx.org.has(unit)) throw ruleViolation('UNKNOWN_ORG_UNIT', `unknown org unit ${unit}`, { orgUnit: unit });
}

function requireText(value: string | undefined, code: string, what: string): void {
  if (!value || !value.trim()) throw ruleViolation(code, `${what} is required`);
}

/** The union that reviews (复查) the answer: the one recorded, or the one a request would go to now (art. 35). */
const reviewBodyOf = (state: PetitionState, ctx: DecisionContext): string | undefined => state.review?.body ?? ctx.org.parentOf(state.orgUnit!);
/** The union that rechecks (复核) the review: the one recorded, or the one above the reviewing union (art. 36). */
const recheckBodyOf = (state: PetitionState, ctx: DecisionContext): string | undefined => {
  if (state.recheck) return state.recheck.body;
  const review = reviewBodyOf(state, ctx);
  return review ? ctx.org.parentOf(review) : undefined;
};

/** Rule lookups always use the case's jurisdiction and the rule in force on the day it was received. */
const ruleOf = (state: PetitionState, ctx: DecisionContext, kind: string) =>
  ctx.rules.deadline(`petition.${kind}`, state.jurisdiction!, state.receivedDate!);
const limitOf = (state: PetitionState, ctx: DecisionContext, key: string) => ctx.rules.limit(`petition.${key}`, state.jurisdiction!, state.receivedDate!);

/** The case's acceptance duty: on time when none is owed (identity unknown) or met by its due instant. */
function acceptanceOnTime(state: PetitionState, now: string): boolean {
  const due = pendingOfKind(state.deadlines, 'acceptance')[0];
  return due ? notAfter(now, due.dueAt) : true;
}

/** An open window deadline of `kind` that has not run out yet. */
function openWindow(state: PetitionState, kind: string, now: string): DeadlineState | undefined {
  const w = pendingOfKind(state.deadlines, kind)[0];
  return w && w.status === 'open' && notAfter(now, w.dueAt) ? w : undefined;
}

/**
 * Routing out to mediation opens a linked mediation case (process manager petition-to-mediation), so the route-out
 * carries the application data and is refused now, with the mediation workflow's own code, if that workflow would
 * refuse the application (a dry run of its decider as Hearth itself).
 */
function routingToMediation(
  command: Extract<PetitionCommand, { type: 'RouteOutPetition' }>,
  state: PetitionState,
  ctx: DecisionContext,
): MediationRouting | undefined {
  if (command.procedure !== 'mediation') {
    if (command.mediation !== undefined)
      throw ruleViolation('MEDIATION_DATA_NOT_APPLICABLE', 'mediation data is given only when routing out to mediation', { procedure: command.procedure });
    return undefined;
  }
  if (!command.mediation)
    throw ruleViolation('MEDIATION_DATA_REQUIRED', 'routing out to mediation needs the application: employer, claims, dispute date and workers');
  const routing = normalizeRouting(command.mediation);
  const petition = { petitionId: state.petitionId!, orgUnit: state.orgUnit!, headcount: state.headcount ?? 1, facts: '' };
  mediationDecider.decide(applicationFromPetition(`from-petition-${state.petitionId}`, petition, routing), initialMediationState, {
    ...ctx,
    actor: SYSTEM_ACTOR,
  });
  return routing;
}

function decideAcceptanceOutcome(
  command: Extract<PetitionCommand, { type: 'AcceptPetition' | 'NotAcceptPetition' | 'RouteOutPetition' }>,
  state: PetitionState,
  ctx: DecisionContext,
): PetitionEvent[] {
  requireStatus(state, ['Registered'], command.type);
  requireText(command.signedBy, 'SIGNATURE_REQUIRED', 'the signing head (signedBy)');
  requireNamedUser(ctx, command.signedBy, ['head'], state.orgUnit!, 'SIGNER_INVALID', 'signedBy');
  const now = ctx.now;
  const onTime = acceptanceOnTime(state, now);
  const out = new Emitter(state.deadlines);
  const basis = `${REGS} art. 23`;
  switch (command.type) {
    case 'AcceptPetition':
      out.push({
        type: 'PetitionAccepted',
        data: { acceptedAt: now, signedBy: command.signedBy, legalBasis: basis, onTime, ...(command.note ? { note: command.note } : {}) },
      });
      break;
    case 'NotAcceptPetition':
      requireText(command.reason, 'REASON_REQUIRED', 'the reason for not accepting');
      out.push({
        type: 'PetitionNotAccepted',
        data: { decidedAt: now, signedBy: command.signedBy, reason: command.reason, legalBasis: command.legalBasis ?? basis, onTime },
      });
      break;
    case 'RouteOutPetition': {
      requireText(command.reason, 'REASON_REQUIRED', 'the reason for routing out');
      const mediation = routingToMediation(command, state, ctx);
      out.push({
        type: 'PetitionRoutedOut',
        data: {
          decidedAt: now,
          signedBy: command.signedBy,
          procedure: command.procedure,
          ...(command.target ? { target: command.target } : {}),
          reason: command.reason,
          legalBasis: command.legalBasis ?? basis,
          onTime,
          ...(mediation ? { mediation } : {}),
        },
      });
      break;
    }
  }
  out.push(...meetDeadlines(out.deadlines, 'acceptance', now));
  out.push(...cancelPendingDeadlines(out.deadlines, 'acceptance decided', ['transferObjection']));
  if (command.type === 'AcceptPetition')
    out.push(openDeadline(out.deadlines, 'handling', ruleOf(state, ctx, 'handling'), localDateOf(now), state.orgUnit!, ctx));
  return out.events;
}

function decideRegister(command: Extract<PetitionCommand, { type: 'RegisterPetition' }>, state: PetitionState, ctx: DecisionContext): PetitionEvent[] {
  // Scope before existence: an outsider is refused alike whether or not a petition has this id.
  requireRole(ctx, PETITION_COMMAND_ROLES.RegisterPetition, command.type);
  requireKnownUnit(ctx, command.orgUnit);
  requireWithin(ctx, command.orgUnit);
  if (state.status !== 'None') requireWithin(ctx, state.orgUnit!);
  if (state.status !== 'None') throw ruleViolation('PETITION_ALREADY_EXISTS', `petition ${state.petitionId} already exists`, { status: state.status });
  if (!ctx.rules.knows(ctx.jurisdiction))
    throw ruleViolation('UNKNOWN_JURISDICTION', `no rule table for jurisdiction ${ctx.jurisdiction}`, { jurisdiction: ctx.jurisdiction });
  const receivedDate = localDateOf(ctx.now);
  const limit = (key: string) => ctx.rules.limit(`petition.${key}`, ctx.jurisdiction, receivedDate);
  if (!Number.isInteger(command.headcount) || command.headcount < 1 || command.headcount < command.petitioners.length)
    throw ruleViolation('INVALID_HEADCOUNT', 'headcount must be a whole number ≥ 1 and at least the number of petitioners named', {
      headcount: command.headcount,
      petitioners: command.petitioners.length,
    });
  if (command.identityKnown && command.petitioners.length === 0)
    throw ruleViolation('PETITIONER_REQUIRED', 'a petitioner must be named unless the identity is unknown');
  const maxReps = limit('maxVisitRepresentatives');
  if (command.channel === 'visit' && command.petitioners.length > maxReps)
    throw ruleViolation('TOO_MANY_REPRESENTATIVES', `a visit may send at most ${maxReps} representatives (${REGS} art. 20)`, {
      representatives: command.petitioners.length,
      max: maxReps,
    });
  const collective = command.channel === 'visit' && command.headcount >= limit('collectiveVisitHeadcount');
  checkAccusedOrg(command, ctx);
  checkPetitionerKeys(command.petitionerKeys);
  const out = new Emitter(state.deadlines);
  out.push({
    type: 'PetitionRegistered',
    data: {
      petitionId: command.petitionId,
      orgUnit: command.orgUnit,
      channel: command.channel,
      category: command.category,
      subject: command.subject,
      facts: command.facts,
      request: command.request,
      petitioners: command.petitioners,
      headcount: command.headcount,
      identityKnown: command.identityKnown,
      collective,
      urgent: command.urgent ?? false,
      ...(command.major ? { major: true } : {}),
      ...(command.accusedOrgUnit ? { accusedOrgUnit: command.accusedOrgUnit } : {}),
      ...(command.petitionerKeys?.length ? { petitionerKeys: command.petitionerKeys } : {}),
      receivedAt: ctx.now,
      receivedDate,
      jurisdiction: ctx.jurisdiction,
      registeredBy: ctx.actor.id,
    },
  });
  out.push(...reportUpward((out.events[0] as Extract<PetitionEvent, { type: 'PetitionRegistered' }>).data, ctx));
  // No written notice is owed when the petitioner's name or address is unknown (art. 23).
  if (command.identityKnown) {
    const rule = ctx.rules.deadline('petition.acceptance', ctx.jurisdiction, receivedDate);
    out.push(openDeadline(out.deadlines, 'acceptance', rule, receivedDate, command.orgUnit, ctx));
  }
  return out.events;
}

function decide(command: PetitionCommand, state: PetitionState, rawCtx: DecisionContext): PetitionEvent[] {
  // Canonical ISO instants, so that instants compare correctly as strings everywhere downstream.
  const ctx: DecisionContext = { ...rawCtx, now: new Date(rawCtx.now).toISOString() };
  const now = ctx.now;
  const today = localDateOf(now);

  if (command.type === 'RegisterPetition') return decideRegister(command, state, ctx);
  if (state.status === 'None') throw notFound('PETITION_NOT_FOUND', 'no such petition');
  // 交办 due dates are given by the assigning union, not counted: never recounted.
  if (command.type === 'RecomputeDeadlines')
    return decideRecompute(state.deadlines, ctx, countedBy((d) => (d.kind === 'assignedDown' ? undefined : ruleOf(state, ctx, d.kind))));
  if (command.type === 'AcknowledgeEscalation') return decideAcknowledge(state.deadlines, command.deadlineId, command.level, command.note, ctx);
  if (command.type === 'RecordRepeatPetition') {
    requireRole(ctx, PETITION_COMMAND_ROLES.RecordRepeatPetition, command.type);
    return decideRepeat(command, state, ctx);
  }

  const caseOrg = state.orgUnit!;
  const isHandler = command.type === 'RecordProgress' && state.handler === ctx.actor.id && ctx.actor.role !== 'auditor' && ctx.actor.role !== 'admin' && ctx.actor.role !== 'system';
  if (!isHandler) requireRole(ctx, PETITION_COMMAND_ROLES[command.type], command.type);
  if (ctx.actor.role !== 'system') requireWithin(ctx, caseOrg);

  const out = new Emitter(state.deadlines);
  switch (command.type) {
    case 'NotifyReceipt':
      requireStatus(state, ['Registered'], command.type);
      return out.push({ type: 'PetitionReceiptNotified', data: { method: command.method, notifiedAt: now, legalBasis: `${REGS} art. 23` } }).events;

    case 'AcceptPetition':
    case 'NotAcceptPetition':
    case 'RouteOutPetition':
      return decideAcceptanceOutcome(command, state, ctx);

    case 'TransferPetition': {
      requireStatus(state, ['Registered'], command.type);
      const target = command.toOrgUnit;
      requireKnownUnit(ctx, target);
      if (target === caseOrg) throw ruleViolation('TRANSFER_TO_SAME_UNIT', `the case already belongs to ${target}`);
      requireNotAccused(state, target, ctx);
      requireWithin(ctx, target, 'the transfer target');
      if (target === ctx.actor.orgUnit)
        throw ruleViolation('TRANSFER_TARGET_NOT_BELOW', 'a union transfers a case to a unit below it, not to itself', { toOrgUnit: target });
      out.push({ type: 'PetitionTransferred', data: { fromOrgUnit: caseOrg, toOrgUnit: target, reason: command.reason, transferredAt: now, receivedDate: today } });
      out.push(...cancelPendingDeadlines(out.deadlines, 'transferred', ['acceptance', 'transferObjection']));
      if (state.identityKnown) out.push(openDeadline(out.deadlines, 'acceptance', ruleOf(state, ctx, 'acceptance'), today, target, ctx));
      out.push(openDeadline(out.deadlines, 'transferObjection', ruleOf(state, ctx, 'transferObjection'), today, target, ctx));
      return out.events;
    }

    case 'ObjectToTransfer': {
      // Scope before state: only the case's own unit could ever be the receiving unit of a transfer.
      if (ctx.actor.orgUnit !== caseOrg) throw forbidden('NOT_RECEIVING_UNIT', 'only the head of the receiving unit may object to a transfer');
      requireStatus(state, ['Registered'], command.type);
      const transfer = state.transfer;
      if (!transfer || transfer.objected || transfer.toOrgUnit !== caseOrg)
        throw ruleViolation('NOT_TRANSFERRED', 'the case was not transferred to its current unit');
      if (!openWindow(state, 'transferObjection', now))
        throw ruleViolation('OBJECTION_WINDOW_CLOSED', 'the objection period has run out', { status: state.status });
      requireText(command.reasons, 'REASON_REQUIRED', 'the reasons for objecting');
      out.push({
        type: 'PetitionTransferObjected',
        data: {
          byOrgUnit: transfer.toOrgUnit,
          returnedTo: transfer.fromOrgUnit,
          reasons: command.reasons,
          objectedAt: now,
          legalBasis: ruleOf(state, ctx, 'transferObjection').legalBasis,
        },
      });
      out.push(...cancelPendingDeadlines(out.deadlines, 'transfer objected', ['transferObjection', 'acceptance']));
      if (state.identityKnown) out.push(openDeadline(out.deadlines, 'acceptance', ruleOf(state, ctx, 'acceptance'), today, transfer.fromOrgUnit, ctx));
      return out.events;
    }

    case 'AssignDown': {
      requireStatus(state, HANDLING, command.type);
      const target = command.toOrgUnit;
      requireKnownUnit(ctx, target);
      if (target === caseOrg) throw ruleViolation('ASSIGN_TO_SAME_UNIT', `the case already belongs to ${target}`);
      requireNotAccused(state, target, ctx);
      requireWithin(ctx, target, 'the assignment target');
      if (target === ctx.actor.orgUnit)
        throw ruleViolation('ASSIGN_TARGET_NOT_BELOW', '交办 goes to a unit below the assigning union', { toOrgUnit: target });
      if (!isLocalDate(command.dueDate)) throw ruleViolation('INVALID_DUE_DATE', `not a date: ${command.dueDate}`);
      if (command.dueDate <= today) throw ruleViolation('DUE_DATE_NOT_IN_FUTURE', `the due date must be after ${today}`, { dueDate: command.dueDate });
      out.push({
        type: 'PetitionAssignedDown',
        data: { fromOrgUnit: caseOrg, toOrgUnit: target, dueDate: command.dueDate, instructions: command.instructions, assignedAt: now },
      });
      out.push(...cancelPendingDeadlines(out.deadlines, 'assigned down again', ['assignedDown']));
      out.push(openDatedDeadline(out.deadlines, 'assignedDown', command.dueDate, '按交办要求办理并报送办结报告', `${REGS} (上级工会交办)`, target, ctx));
      return out.events;
    }

    case 'SubmitCompletionReport': {
      // Scope before state: once a 交办 exists, only its unit learns whether a report is still owed.
      if (state.assignedDown && ctx.actor.orgUnit !== state.assignedDown.toOrgUnit)
        throw forbidden('NOT_ASSIGNED_UNIT', 'only the unit the case was assigned to may report its completion');
      const pending = pendingOfKind(state.deadlines, 'assignedDown');
      if (!state.assignedDown || pending.length === 0) throw ruleViolation('NO_PENDING_ASSIGNMENT', 'no 交办 awaits a completion report', { status: state.status });
      requireText(command.report, 'REPORT_REQUIRED', 'the completion report');
      out.push({ type: 'CompletionReportSubmitted', data: { report: command.report, submittedAt: now, submittedBy: ctx.actor.id } });
      return out.push(...meetDeadlines(out.deadlines, 'assignedDown', now)).events;
    }

    case 'AssignHandler':
      requireStatus(state, HANDLING, command.type);
      requireText(command.officerId, 'HANDLER_REQUIRED', 'the handling officer');
      requireNamedUser(ctx, command.officerId, ['officer', 'head'], state.orgUnit!, 'HANDLER_INVALID', 'officerId');
      return out.push({ type: 'HandlerAssigned', data: { officerId: command.officerId, assignedBy: ctx.actor.id, assignedAt: now } }).events;

    case 'RecordProgress':
      requireStatus(state, HANDLING, command.type);
      requireText(command.note, 'NOTE_REQUIRED', 'the progress note');
      return out.push({
        type: 'ProgressRecorded',
        data: { note: command.note, attachments: command.attachments ?? [], recordedBy: ctx.actor.id, recordedAt: now },
      }).events;

    case 'ExtendHandling': {
      requireStatus(state, HANDLING, command.type);
      if (state.extended) throw ruleViolation('EXTENSION_ALREADY_GRANTED', 'the handling period may be extended only once (art. 34)');
      const max = limitOf(state, ctx, 'extensionMaxDays');
      if (!Number.isInteger(command.days) || command.days < 1)
        throw ruleViolation('INVALID_EXTENSION_DAYS', 'an extension is a whole number of days ≥ 1', { days: command.days });
      if (command.days > max) throw ruleViolation('EXTENSION_TOO_LONG', `an extension may not exceed ${max} days (art. 34)`, { days: command.days, max });
      requireText(command.reason, 'REASON_REQUIRED', 'the reason for the extension');
      const handling = pendingOfKind(state.deadlines, 'handling')[0];
      if (!handling) throw ruleViolation('NO_HANDLING_DEADLINE', 'no handling period is running');
      if (!notAfter(now, handling.dueAt))
        throw ruleViolation('EXTENSION_AFTER_DUE', 'an extension must be approved before the handling period runs out', { dueAt: handling.dueAt });
      const newDueDate = periodEnd(handling.dueDate, { days: command.days, unit: 'calendar', shiftOffRestDay: true }, ctx.calendar);
      out.push({
        type: 'HandlingExtended',
        data: { reason: command.reason, days: command.days, newDueDate, approvedBy: ctx.actor.id, legalBasis: `${REGS} art. 34`, extendedAt: now },
      });
      out.push(moveDeadline(handling, newDueDate, 'extension', ctx));
      return out.events;
    }

    case 'DraftAnswer':
      requireStatus(state, HANDLING, command.type);
      requireText(command.facts, 'FACTS_REQUIRED', 'the facts of the answer');
      return out.push({
        type: 'AnswerDrafted',
        data: {
          outcome: command.outcome,
          facts: command.facts,
          legalBasis: command.legalBasis,
          ...(command.mediationAgreement ? { mediationAgreement: command.mediationAgreement } : {}),
          draftedBy: ctx.actor.id,
          draftedAt: now,
        },
      }).events;

    case 'ApproveAnswer': {
      requireStatus(state, HANDLING, command.type);
      const draft = state.draft;
      if (!draft) throw ruleViolation('NO_DRAFT_ANSWER', 'there is no drafted answer to approve');
      const handling = pendingOfKind(state.deadlines, 'handling')[0];
      out.push({
        type: 'PetitionAnswered',
        data: {
          outcome: draft.outcome,
          facts: draft.facts,
          legalBasis: draft.legalBasis,
          ...(draft.mediationAgreement ? { mediationAgreement: draft.mediationAgreement } : {}),
          draftedBy: draft.draftedBy,
          approvedBy: ctx.actor.id,
          answeredAt: now,
          onTime: handling ? notAfter(now, handling.dueAt) : true,
        },
      });
      out.push(...meetDeadlines(out.deadlines, 'handling', now));
      out.push(openDeadline(out.deadlines, 'reviewWindow', ruleOf(state, ctx, 'reviewWindow'), today, caseOrg, ctx));
      return out.events;
    }

    case 'RequestReview': {
      requireStatus(state, ['Answered'], command.type);
      if (!openWindow(state, 'reviewWindow', now)) throw ruleViolation('REVIEW_WINDOW_CLOSED', 'the 30 days for requesting a review have run out (art. 35)');
      const body = ctx.org.parentOf(caseOrg);
      if (!body) throw ruleViolation('NO_HIGHER_BODY', `no union above ${caseOrg} to review the answer`);
      out.push({ type: 'ReviewRequested', data: { reasons: command.reasons, requestedAt: now, reviewBody: body, legalBasis: ruleOf(state, ctx, 'reviewDecision').legalBasis } });
      out.push(...meetDeadlines(out.deadlines, 'reviewWindow', now));
      out.push(openDeadline(out.deadlines, 'reviewDecision', ruleOf(state, ctx, 'reviewDecision'), today, body, ctx));
      return out.events;
    }

    case 'DecideReview': {
      // Scope before state: who is not the (would-be) reviewing union is refused alike whether or not a review is asked.
      const body = reviewBodyOf(state, ctx);
      if (!body || !ctx.org.isWithin(body, ctx.actor.orgUnit))
        throw forbidden('NOT_REVIEW_BODY', `only the reviewing union ${body ?? '(none)'} or a union above it may decide the review`);
      requireStatus(state, ['ReviewRequested'], command.type);
      const due = pendingOfKind(state.deadlines, 'reviewDecision')[0];
      out.push({
        type: 'ReviewDecided',
        data: {
          outcome: command.outcome,
          facts: command.facts,
          legalBasis: command.legalBasis,
          decidedBy: ctx.actor.id,
          decidedAt: now,
          onTime: due ? notAfter(now, due.dueAt) : true,
        },
      });
      out.push(...meetDeadlines(out.deadlines, 'reviewDecision', now));
      out.push(openDeadline(out.deadlines, 'recheckWindow', ruleOf(state, ctx, 'recheckWindow'), today, body, ctx));
      return out.events;
    }

    case 'RequestRecheck': {
      requireStatus(state, ['Reviewed'], command.type);
      if (!openWindow(state, 'recheckWindow', now)) throw ruleViolation('RECHECK_WINDOW_CLOSED', 'the 30 days for requesting a recheck have run out (art. 36)');
      const reviewBody = state.review!.body;
      const body = ctx.org.parentOf(reviewBody);
      if (!body) throw ruleViolation('NO_HIGHER_BODY', `no union above ${reviewBody} to recheck the review`);
      out.push({ type: 'RecheckRequested', data: { reasons: command.reasons, requestedAt: now, recheckBody: body, legalBasis: ruleOf(state, ctx, 'recheckDecision').legalBasis } });
      out.push(...meetDeadlines(out.deadlines, 'recheckWindow', now));
      out.push(openDeadline(out.deadlines, 'recheckDecision', ruleOf(state, ctx, 'recheckDecision'), today, body, ctx));
      return out.events;
    }

    case 'DecideRecheck': {
      const body = recheckBodyOf(state, ctx);
      if (!body || !ctx.org.isWithin(body, ctx.actor.orgUnit))
        throw forbidden('NOT_RECHECK_BODY', `only the rechecking union ${body ?? '(none)'} or a union above it may decide the recheck`);
      requireStatus(state, ['RecheckRequested'], command.type);
      const due = pendingOfKind(state.deadlines, 'recheckDecision')[0];
      out.push({
        type: 'RecheckDecided',
        data: {
          outcome: command.outcome,
          facts: command.facts,
          legalBasis: command.legalBasis,
          decidedBy: ctx.actor.id,
          decidedAt: now,
          onTime: due ? notAfter(now, due.dueAt) : true,
        },
      });
      out.push(...meetDeadlines(out.deadlines, 'recheckDecision', now));
      // After 复核 the same facts are not accepted again (art. 36): the case closes with the decision.
      out.push(...cancelPendingDeadlines(out.deadlines, 'closed'));
      out.push({ type: 'PetitionClosed', data: { reason: 'rechecked', closedAt: now, closedBy: ctx.actor.id } });
      return out.events;
    }

    case 'ClosePetition': {
      const allowed = CLOSE_REASONS_BY_STATUS[state.status];
      if (!allowed) throw ruleViolation('INVALID_TRANSITION', `ClosePetition is not allowed when the petition is ${state.status}`, { status: state.status, command: command.type });
      if (!allowed.includes(command.reason))
        throw ruleViolation('CLOSE_REASON_NOT_ALLOWED', `a ${state.status} petition cannot be closed as ${command.reason}`, {
          status: state.status,
          reason: command.reason,
          allowed,
        });
      out.push(...cancelPendingDeadlines(out.deadlines, 'closed'));
      out.push({
        type: 'PetitionClosed',
        data: { reason: command.reason, closedAt: now, closedBy: ctx.actor.id, ...(command.note ? { note: command.note } : {}) },
      });
      return out.events;
    }

    case 'SupervisePetition':
      return out.push(...decideSupervise(command, state, out.deadlines, ctx)).events;

    case 'ReplyToSupervision':
      return out.push(...decideReplyToSupervision(command, state, ctx)).events;

    case 'ExpireDeadline': {
      // The handler is the assigned officer of deadlines owned by the case's current unit (not of a review body's).
      const owner = state.deadlines[command.deadlineId]?.ownerOrgUnit;
      out.push(...decideLadderStep(state.deadlines, command, ctx, { assignee: owner === caseOrg ? state.handler : undefined }));
      const lapsed = out.events.find((e) => e.type === 'DeadlineLapsed');
      const closes =
        lapsed &&
        ((lapsed.data.kind === 'reviewWindow' && state.status === 'Answered') || (lapsed.data.kind === 'recheckWindow' && state.status === 'Reviewed'));
      if (closes) {
        out.push(...cancelPendingDeadlines(out.deadlines, 'closed'));
        out.push({ type: 'PetitionClosed', data: { reason: 'window_lapsed', closedAt: now, closedBy: 'system', legalBasis: state.deadlines[lapsed.data.deadlineId]?.legalBasis ?? REGS } });
      }
      return out.events;
    }
  }
}

export const petitionDecider: Decider<PetitionCommand, PetitionEvent, PetitionState> = {
  category: 'petition',
  initialState: initialPetitionState,
  evolve: evolvePetition,
  decide,
};
