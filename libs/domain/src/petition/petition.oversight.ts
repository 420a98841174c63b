import type { DecisionContext } from '../common/decider';
import { forbidden, ruleViolation } from '../common/domain-error';
import { isLocalDate, localDateOf } from '../calendar/local-date';
import { nextDeadlineId, openDatedDeadline } from '../deadlines/deadline.decisions';
import type { Deadlines } from '../deadlines/deadline.state';
import type { PetitionCommand } from './petition.commands';
import type { PetitionEvent, PetitionRegistered, ReportReason } from './petition.events';
import { PETITION_CHANNELS } from './petition.events';
import type { PetitionState, PetitionStatus } from './petition.state';

/**
 * Oversight of petitions by the unions above (domain-spec §0 "other escalation triggers", §1): reporting collective,
 * urgent and major cases upward, 督办 with a required written reply, repeat petitions linked to the open case, and
 * keeping accusations away from the accused org (art. 46(5)).
 */

const REGS = '信访工作条例';

/** Deadline kind of the written reply a 督办 requires. */
export const SUPERVISION_KIND = 'supervisionReply';

/** Statuses in which a case is still being worked on and can be supervised. */
const SUPERVISABLE: readonly PetitionStatus[] = ['Registered', 'Accepted', 'InHandling', 'Answered', 'ReviewRequested', 'Reviewed', 'RecheckRequested'];

/** A collective, urgent or major case is reported to the union above at once (art. 25); nothing above the root. */
export function reportUpward(registered: PetitionRegistered['data'], ctx: DecisionContext): PetitionEvent[] {
  const reasons: ReportReason[] = [];
  if (registered.collective) reasons.push('collective');
  if (registered.urgent) reasons.push('urgent');
  if (registered.major) reasons.push('major');
  const reportedTo = ctx.org.parentOf(registered.orgUnit);
  if (!reasons.length || !reportedTo) return [];
  return [
    {
      type: 'PetitionReportedUpward',
      data: {
        reasons,
        orgUnit: registered.orgUnit,
        reportedTo,
        headcount: registered.headcount,
        reportedAt: ctx.now,
        legalBasis: `${REGS} art. 25`,
      },
    },
  ];
}

/** 检举控告 names the accused unit (required); other categories do not. */
export function checkAccusedOrg(command: Extract<PetitionCommand, { type: 'RegisterPetition' }>, ctx: DecisionContext): void {
  const accused = command.accusedOrgUnit;
  if (command.category !== 'accusation') {
    if (accused !== undefined)
      throw ruleViolation('ACCUSED_ORG_NOT_APPLICABLE', 'only an accusation (检举控告) names an accused org unit', { category: command.category });
    return;
  }
  if (!accused) throw ruleViolation('ACCUSED_ORG_REQUIRED', 'an accusation (检举控告) names the accused org unit (art. 46(5))');
  if (!ctx.org.has(accused)) throw ruleViolation('UNKNOWN_ORG_UNIT', `unknown org unit ${accused}`, { orgUnit: accused });
}

/** An accusation is never transferred or assigned to the accused org or a unit below it (art. 46(5)). */
export function requireNotAccused(state: PetitionState, target: string, ctx: DecisionContext): void {
  if (state.accusedOrgUnit && ctx.org.isWithin(target, state.accusedOrgUnit))
    throw ruleViolation('TARGET_IS_ACCUSED_ORG', `an accusation may not go to the accused org ${state.accusedOrgUnit} or a unit below it (${REGS} art. 46)`, {
      toOrgUnit: target,
    });
}

/** Keys are opaque url-safe hashes (HMAC-SHA256: 43 base64url or 64 hex characters); an 18-character ID number never fits. */
export function checkPetitionerKeys(keys: readonly string[] | undefined): void {
  if (keys === undefined) return;
  if (!Array.isArray(keys) || keys.length > 50 || keys.some((k) => typeof k !== 'string' || !/^[A-Za-z0-9_-]{32,128}$/.test(k)))
    throw ruleViolation('INVALID_PETITIONER_KEYS', 'petitioner keys are blind-index hashes (32–128 url-safe characters), at most 50');
}

/** 督办: a unit above the case's unit requires a written reply by a due date (its own deadline and ladder). */
export function decideSupervise(
  command: Extract<PetitionCommand, { type: 'SupervisePetition' }>,
  state: PetitionState,
  deadlines: Deadlines,
  ctx: DecisionContext,
): PetitionEvent[] {
  const caseOrg = state.orgUnit!;
  // Scope before state: the case's own unit never supervises itself, whatever the case's status.
  if (ctx.actor.orgUnit === caseOrg) throw forbidden('NOT_ABOVE_CASE_UNIT', '督办 comes from a union above the unit handling the case');
  if (!SUPERVISABLE.includes(state.status))
    throw ruleViolation('INVALID_TRANSITION', `SupervisePetition is not allowed when the petition is ${state.status}`, {
      status: state.status,
      command: command.type,
      allowed: SUPERVISABLE,
    });
  if (!isLocalDate(command.dueDate)) throw ruleViolation('INVALID_DUE_DATE', `not a date: ${command.dueDate}`);
  const today = localDateOf(ctx.now);
  if (command.dueDate <= today) throw ruleViolation('DUE_DATE_NOT_IN_FUTURE', `the due date must be after ${today}`, { dueDate: command.dueDate });
  if (!command.instructions?.trim()) throw ruleViolation('INSTRUCTIONS_REQUIRED', '督办 states what is required');
  const supervisionId = nextDeadlineId(deadlines, SUPERVISION_KIND);
  const opened = openDatedDeadline(deadlines, SUPERVISION_KIND, command.dueDate, '对督办事项作出书面答复', `${REGS} (上级工会督办)`, caseOrg, ctx);
  return [
    {
      type: 'PetitionSupervised',
      data: {
        supervisionId,
        byOrgUnit: ctx.actor.orgUnit,
        toOrgUnit: caseOrg,
        dueDate: command.dueDate,
        instructions: command.instructions,
        supervisedBy: ctx.actor.id,
        supervisedAt: ctx.now,
      },
    },
    opened,
  ];
}

/** The supervised unit replies in writing; that fulfils the supervision's deadline (and closes its escalations). */
export function decideReplyToSupervision(
  command: Extract<PetitionCommand, { type: 'ReplyToSupervision' }>,
  state: PetitionState,
  ctx: DecisionContext,
): PetitionEvent[] {
  const found = state.deadlines[command.supervisionId];
  const d = found?.kind === SUPERVISION_KIND ? found : undefined;
  // Scope before state: only the supervised unit (the case's, when no such 督办 exists) hears whether there is one.
  if (ctx.actor.orgUnit !== (d?.ownerOrgUnit ?? state.orgUnit)) throw forbidden('NOT_SUPERVISED_UNIT', 'only the supervised unit replies to a 督办');
  if (!d) throw ruleViolation('NO_SUCH_SUPERVISION', `no 督办 ${command.supervisionId} on this case`);
  if (d.status !== 'open' && d.status !== 'missed') throw ruleViolation('SUPERVISION_ALREADY_ANSWERED', `督办 ${command.supervisionId} needs no reply any more`);
  if (!command.reply?.trim()) throw ruleViolation('REPLY_REQUIRED', 'the written reply is required');
  const onTime = Date.parse(ctx.now) <= Date.parse(d.dueAt);
  return [
    { type: 'SupervisionReplied', data: { supervisionId: d.deadlineId, reply: command.reply, repliedBy: ctx.actor.id, repliedAt: ctx.now, onTime } },
    { type: 'DeadlineMet', data: { deadlineId: d.deadlineId, kind: d.kind, metAt: ctx.now, late: !onTime } },
  ];
}

/**
 * A repeat petition — the same petitioner on the same subject while this case is open, or after 复核 closed it — is
 * linked here instead of opening a new case (art. 19, 36). A person records it only on a case of their own subtree,
 * received at a unit of their subtree; a repeat received elsewhere was registered there as that unit's own case and
 * Hearth itself links it here (`linkedPetitionId`, repeat-key.decider.ts), so nobody appends to a case outside their
 * subtree and the receiving unit is not told that this case exists (art. 46(5)).
 */
export function decideRepeat(command: Extract<PetitionCommand, { type: 'RecordRepeatPetition' }>, state: PetitionState, ctx: DecisionContext): PetitionEvent[] {
  const unit = command.receivedAtOrgUnit;
  const bySystem = ctx.actor.role === 'system';
  if (!bySystem) {
    if (!ctx.org.isWithin(state.orgUnit!, ctx.actor.orgUnit))
      throw forbidden('OUTSIDE_ORG_SUBTREE', `the case (${state.orgUnit}) is outside the subtree of ${ctx.actor.orgUnit}`);
    if (state.accusedOrgUnit && ctx.org.isWithin(ctx.actor.orgUnit, state.accusedOrgUnit))
      throw forbidden('OUTSIDE_ORG_SUBTREE', `the case is outside what ${ctx.actor.orgUnit} may see`);
  }
  if (!ctx.org.has(unit)) throw ruleViolation('UNKNOWN_ORG_UNIT', `unknown org unit ${unit}`, { orgUnit: unit });
  if (!bySystem && !ctx.org.isWithin(unit, ctx.actor.orgUnit))
    throw forbidden('OUTSIDE_ORG_SUBTREE', `the receiving unit (${unit}) is outside the subtree of ${ctx.actor.orgUnit}`);
  if (bySystem && !command.linkedPetitionId?.trim())
    throw ruleViolation('LINKED_PETITION_REQUIRED', 'Hearth links a repeat only from the petition registered where it was received');
  const afterRecheck = state.status === 'Closed' && state.closeReason === 'rechecked';
  if (state.status === 'Closed' && !afterRecheck)
    throw ruleViolation('CASE_NOT_LINKABLE', 'a case closed other than by 复核 takes no repeat petitions; register a new one', { status: state.status });
  if (!(PETITION_CHANNELS as readonly string[]).includes(command.channel)) throw ruleViolation('INVALID_CHANNEL', `unknown channel ${command.channel}`);
  if (!Number.isInteger(command.headcount) || command.headcount < 1) throw ruleViolation('INVALID_HEADCOUNT', 'headcount must be a whole number ≥ 1');
  checkPetitionerKeys(command.petitionerKeys);
  return [
    {
      type: 'RepeatPetitionReceived',
      data: {
        orgUnit: state.orgUnit!,
        receivedAtOrgUnit: unit,
        channel: command.channel,
        headcount: command.headcount,
        ...(command.facts ? { facts: command.facts } : {}),
        ...(command.request ? { request: command.request } : {}),
        ...(command.petitionerKeys?.length ? { petitionerKeys: command.petitionerKeys } : {}),
        ...(bySystem ? { linkedPetitionId: command.linkedPetitionId } : {}),
        receivedAt: ctx.now,
        receivedBy: ctx.actor.id,
        afterRecheck,
        legalBasis: `${REGS} art. 19, 36`,
      },
    },
  ];
}
