import type { Decider, DecisionContext } from '../common/decider';
import type { Role } from '../common/actor';
import { DomainError, forbidden, notFound, ruleViolation } from '../common/domain-error';
import { localDateOf, LocalDate, isLocalDate } from '../calendar/local-date';
import { cancelPendingDeadlines, decideAcknowledge, decideLadderStep, meetDeadlines, openDeadline } from '../deadlines/deadline.decisions';
import { countedBy, decideRecompute } from '../deadlines/deadline.recompute';
import { pendingOfKind } from '../deadlines/deadline.state';
import type { DeadlineEvent } from '../deadlines/deadline.events';
import { computeCategory } from './hardship-category';
import { addYears, aidLimits, campaignWindow, categoryParams, hardshipLimit, inWindow, lookupDibaoLine } from './hardship.config';
import type { HardshipCommand } from './hardship.commands';
import {
  ACCIDENT_KINDS,
  AID_KINDS,
  AidKind,
  AidRevoked,
  CAMPAIGN_AID_KINDS,
  CategoryComputation,
  DISBURSEMENT_METHODS,
  DisbursementMethod,
  EXIT_REASONS,
  ExitReason,
  HARDSHIP_CATEGORIES,
  HardshipEvent,
  HouseholdStats,
  OBJECTION_OUTCOMES,
} from './hardship.events';
import { ANNUAL_REVIEW_KIND, AidState, hardshipRuleKey, HardshipFileState, HardshipFileStatus, PUBLIC_NOTICE_KIND, evolveHardshipFile, initialHardshipFileState } from './hardship.state';
import { isValidYuan, toFen } from './money';

/**
 * The hardship-assistance file (困难职工帮扶, domain-spec §3) as a pure decider.
 *
 * Path: Applied → PreScreened (by the L4 union the file is lodged with) → HomeVisited → ConsentSigned →
 * EconomicCheckDone → PublicNotice (公示; lapses → completed; objections resolved) → Registered(category)
 * ⇄ AnnualReview → Exited; Rejected from any pre-registration state.
 * Relapse (返困): ReopenFile on an Exited file → Reopened → RecordEconomicCheck (fresh verified figures) →
 * EconomicCheckDone → a new public notice → RegisterFile. Pre-screen, home visit and consent are not repeated:
 * the file, the household's consent and the earlier visit are still on record (retention), only the economic
 * situation changed; the new public notice gives the community its say again.
 * An upheld objection blocks registration; a new economic check (allowed during the notice) restarts the notice.
 */

const REGISTERED: readonly HardshipFileStatus[] = ['Registered', 'AnnualReview'];
const PRE_REGISTRATION: readonly HardshipFileStatus[] = [
  'Applied',
  'PreScreened',
  'HomeVisited',
  'ConsentSigned',
  'EconomicCheckDone',
  'PublicNotice',
  'Reopened',
];

const WORKERS: readonly Role[] = ['officer', 'head'];
const HEADS: readonly Role[] = ['head'];
const INTAKE: readonly Role[] = ['intake', 'officer', 'head'];

/**
 * Who may issue each command (auditors never). ExpireDeadline: `system` only (the timer);
 * AcknowledgeEscalation: supervisors/heads above the owning unit (checked by decideAcknowledge).
 */
const ROLES: Record<Exclude<HardshipCommand['type'], 'ExpireDeadline' | 'AcknowledgeEscalation' | 'RecomputeDeadlines'>, readonly Role[]> = {
  ApplyForHardshipFile: INTAKE,
  PreScreen: WORKERS,
  RecordHomeVisit: WORKERS,
  RecordConsent: WORKERS,
  RecordEconomicCheck: WORKERS,
  StartPublicNotice: WORKERS,
  RaiseObjection: INTAKE,
  ResolveObjection: WORKERS,
  RegisterFile: HEADS,
  OverrideCategory: HEADS,
  StartAnnualReview: WORKERS,
  CompleteAnnualReview: WORKERS,
  ExitFile: HEADS,
  RejectFile: WORKERS,
  ReopenFile: WORKERS,
  ProposeAid: WORKERS,
  ApproveAid: HEADS,
  RecordDisbursement: WORKERS,
  AcknowledgeAid: WORKERS,
  RevokeAid: HEADS,
};

const roleNotAllowed = (role: string, command: string) => forbidden('ROLE_NOT_ALLOWED', `role ${role} may not ${command}`);

const requireRole = (ctx: DecisionContext, command: string, roles: readonly Role[]): void => {
  if (!roles.includes(ctx.actor.role)) throw roleNotAllowed(ctx.actor.role, command);
};

const requireScope = (ctx: DecisionContext, orgUnit: string): void => {
  if (ctx.actor.role === 'system') return;
  if (!ctx.org.isWithin(orgUnit, ctx.actor.orgUnit))
    throw forbidden('OUTSIDE_ORG_SUBTREE', `org unit ${orgUnit} is outside ${ctx.actor.orgUnit}'s subtree`);
};

const invalidTransition = (command: string, status: HardshipFileStatus): DomainError =>
  ruleViolation('INVALID_TRANSITION', `${command} is not allowed while the file is ${status}`, { command, status });

const requireStatus = (s: HardshipFileState, command: string, allowed: readonly HardshipFileStatus[]): void => {
  if (!allowed.includes(s.status)) throw invalidTransition(command, s.status);
};

const requireText = (value: unknown, code: string, what: string): string => {
  if (typeof value !== 'string' || value.trim() === '') throw ruleViolation(code, `${what} is required`);
  return value;
};

const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function validateStats(stats: HouseholdStats | undefined): HouseholdStats {
  const bad = (field: string) => ruleViolation('INVALID_HOUSEHOLD_DATA', `household figures: invalid ${field}`, { field });
  if (!stats || typeof stats !== 'object') throw bad('stats');
  if (!isNonNegInt(stats.membersCount) || stats.membersCount < 1) throw bad('membersCount');
  if (!isValidYuan(stats.monthlyIncomeYuan)) throw bad('monthlyIncomeYuan');
  if (!stats.rigidExpenses || typeof stats.rigidExpenses !== 'object') throw bad('rigidExpenses');
  for (const [k, v] of Object.entries(stats.rigidExpenses)) if (v !== undefined && !isValidYuan(v)) throw bad(`rigidExpenses.${k}`);
  if (stats.accident !== undefined && !ACCIDENT_KINDS.includes(stats.accident)) throw bad('accident');
  if (stats.yearlyHardshipCostsYuan !== undefined && !isValidYuan(stats.yearlyHardshipCostsYuan)) throw bad('yearlyHardshipCostsYuan');
  if (stats.yearlyIncomeYuan !== undefined && !isValidYuan(stats.yearlyIncomeYuan)) throw bad('yearlyIncomeYuan');
  if (typeof stats.migrantWorker !== 'boolean') throw bad('migrantWorker');
  if (!isNonNegInt(stats.monthsEmployed)) throw bad('monthsEmployed');
  return stats;
}

const today = (ctx: DecisionContext): LocalDate => localDateOf(ctx.now);
const yearOf = (date: LocalDate): number => Number(date.slice(0, 4));

function computeFor(s: HardshipFileState, stats: HouseholdStats, ctx: DecisionContext): { computation: CategoryComputation; lineKey: string } {
  const on = today(ctx);
  const year = yearOf(on);
  const line = lookupDibaoLine(ctx, s.jurisdiction, s.orgUnit, year, on);
  return { computation: computeCategory(stats, line.yuan, year, categoryParams(ctx, s.jurisdiction, on)), lineKey: line.key };
}

const notEligible = (computation: CategoryComputation): DomainError =>
  ruleViolation('NOT_ELIGIBLE', `the household is not eligible (${computation.ineligibleReason})`, {
    ineligibleReason: computation.ineligibleReason,
    computation,
  });

function exitEvents(
  s: HardshipFileState,
  reason: ExitReason,
  monthsAboveLine: number | undefined,
  note: string | undefined,
  ctx: DecisionContext,
): HardshipEvent[] {
  if (!EXIT_REASONS.includes(reason)) throw ruleViolation('UNKNOWN_EXIT_REASON', `unknown exit reason ${String(reason)}`, { reason });
  const on = today(ctx);
  if (reason === 'income_above_line_6_months') {
    const need = hardshipLimit(ctx, s.jurisdiction, 'hardship.exit.monthsAboveLine', on);
    if (!isNonNegInt(monthsAboveLine) || monthsAboveLine < need)
      throw ruleViolation('EXIT_CONDITION_NOT_MET', `脱困 needs income above the line for ${need} consecutive months`, {
        required: need,
        monthsAboveLine: monthsAboveLine ?? null,
      });
  }
  const retentionYears = hardshipLimit(ctx, s.jurisdiction, 'hardship.retentionYears', on);
  const revocations: AidRevoked[] = Object.values(s.aids)
    .filter((a) => a.status === 'Proposed' || a.status === 'Approved')
    .map((a) => revokeEvent(a, 'file_exited', ctx));
  return [
    {
      type: 'HardshipFileExited',
      data: {
        reason,
        category: s.category,
        exitedBy: ctx.actor.id,
        exitedAt: ctx.now,
        exitDate: on,
        retentionUntil: addYears(on, retentionYears),
        ...(monthsAboveLine !== undefined ? { monthsAboveLine } : {}),
        ...(note ? { personal: { note } } : {}),
      },
    },
    ...revocations,
    ...cancelPendingDeadlines(s.deadlines, 'file exited'),
  ];
}

function revokeEvent(a: AidState, cause: 'decision' | 'file_exited', ctx: DecisionContext, reason?: string): AidRevoked {
  return {
    type: 'AidRevoked',
    data: {
      aidId: a.aidId,
      fromStatus: a.status,
      wasDisbursed: a.status === 'Disbursed',
      ...(a.fundId ? { fundId: a.fundId } : {}),
      amountYuan: a.amountYuan,
      cause,
      revokedBy: ctx.actor.id,
      revokedAt: ctx.now,
      ...(reason ? { personal: { reason } } : {}),
    },
  };
}

const getAid = (s: HardshipFileState, aidId: string): AidState => {
  const a = s.aids[aidId];
  if (!a) throw notFound('AID_NOT_FOUND', `no aid ${aidId} on file ${s.fileId}`);
  return a;
};

const invalidAidTransition = (command: string, a: AidState): DomainError =>
  ruleViolation('INVALID_AID_TRANSITION', `${command} is not allowed while aid ${a.aidId} is ${a.status}`, {
    command,
    aidId: a.aidId,
    status: a.status,
  });

const defaultMethod = (kind: AidKind, amountYuan: number): DisbursementMethod =>
  kind === 'goods' ? 'goods' : amountYuan === 0 ? 'service' : 'bank_transfer';

export function decideHardship(cmd: HardshipCommand, s: HardshipFileState, ctx: DecisionContext): HardshipEvent[] {
  if (ctx.actor.role === 'auditor') throw roleNotAllowed('auditor', cmd.type);

  if (cmd.type === 'ApplyForHardshipFile') {
    requireRole(ctx, cmd.type, ROLES.ApplyForHardshipFile);
    // Scope before existence: whether a household is on file is sensitive (PIPL art. 28), so a unit outside the
    // actor's subtree is refused alike whether or not the household has a file.
    const unit = ctx.org.get(cmd.orgUnit);
    if (!unit) throw ruleViolation('UNKNOWN_ORG_UNIT', `unknown org unit ${cmd.orgUnit}`, { orgUnit: cmd.orgUnit });
    requireScope(ctx, cmd.orgUnit);
    if (s.exists) throw ruleViolation('HARDSHIP_FILE_EXISTS', `hardship file ${s.fileId} already exists (一户一档)`, { fileId: s.fileId });
    requireText(cmd.fileId, 'INVALID_COMMAND', 'fileId');
    if (unit.level !== 4)
      throw ruleViolation('GRASSROOTS_UNION_REQUIRED', 'a hardship file is lodged with a grassroots union (L4)', { orgUnit: cmd.orgUnit, level: unit.level });
    validateStats(cmd.stats);
    if (!cmd.personal || typeof cmd.personal !== 'object') throw ruleViolation('INVALID_HOUSEHOLD_DATA', 'personal data is required (real-name filing)');
    requireText(cmd.personal.headName, 'INVALID_HOUSEHOLD_DATA', 'head of household name (real-name filing)');
    requireText(cmd.personal.idNumber, 'INVALID_HOUSEHOLD_DATA', 'head of household ID number (real-name filing)');
    if (!Array.isArray(cmd.personal.members)) throw ruleViolation('INVALID_HOUSEHOLD_DATA', 'household members are required');
    return [
      {
        type: 'HardshipFileApplied',
        data: {
          fileId: cmd.fileId,
          orgUnit: cmd.orgUnit,
          jurisdiction: ctx.jurisdiction,
          appliedAt: ctx.now,
          appliedDate: today(ctx),
          appliedBy: ctx.actor.id,
          stats: cmd.stats,
          personal: cmd.personal,
        },
      },
    ];
  }

  // The calendar changed: Hearth counts the file's periods again (rules in force on each deadline's trigger day).
  if (cmd.type === 'RecomputeDeadlines') {
    if (!s.exists) throw notFound('HARDSHIP_FILE_NOT_FOUND', 'no such hardship file');
    return decideRecompute(s.deadlines, ctx, countedBy((d) => ctx.rules.deadline(hardshipRuleKey(d.kind), s.jurisdiction, d.startDate)));
  }

  if (cmd.type === 'ExpireDeadline' || cmd.type === 'AcknowledgeEscalation') {
    if (!s.exists) throw notFound('HARDSHIP_FILE_NOT_FOUND', 'no such hardship file');
    if (cmd.type === 'AcknowledgeEscalation') return decideAcknowledge(s.deadlines, cmd.deadlineId, cmd.level, cmd.note, ctx);
    if (ctx.actor.role !== 'system') throw roleNotAllowed(ctx.actor.role, cmd.type);
    const events: HardshipEvent[] = decideLadderStep(s.deadlines, cmd, ctx);
    const lapsedNotice = events.some((e) => e.type === 'DeadlineLapsed' && e.data.kind === PUBLIC_NOTICE_KIND);
    if (lapsedNotice && s.status === 'PublicNotice')
      events.push({
        type: 'PublicNoticeCompleted',
        data: { completedAt: ctx.now, unresolvedObjections: Object.values(s.objections).filter((o) => o.status === 'open').length },
      });
    return events;
  }

  requireRole(ctx, cmd.type, ROLES[cmd.type]);
  if (!s.exists) throw notFound('HARDSHIP_FILE_NOT_FOUND', 'no such hardship file');
  requireScope(ctx, s.orgUnit);
  const on = today(ctx);

  switch (cmd.type) {
    case 'PreScreen': {
      requireStatus(s, cmd.type, ['Applied']);
      if (ctx.actor.orgUnit !== s.orgUnit || ctx.org.get(s.orgUnit)?.level !== 4)
        throw forbidden('GRASSROOTS_UNION_REQUIRED', 'the pre-screen is done by the grassroots union (L4) the file is lodged with');
      return [
        {
          type: 'HardshipFilePreScreened',
          data: { screenedBy: ctx.actor.id, screenedAt: ctx.now, orgUnit: ctx.actor.orgUnit, ...(cmd.note ? { personal: { note: cmd.note } } : {}) },
        },
      ];
    }

    case 'RecordHomeVisit': {
      requireStatus(s, cmd.type, ['PreScreened']);
      if (!isLocalDate(cmd.visitDate) || cmd.visitDate > on)
        throw ruleViolation('INVALID_DATE', 'visitDate must be a date not in the future', { visitDate: cmd.visitDate });
      if (!Array.isArray(cmd.visitors) || cmd.visitors.length === 0) throw ruleViolation('VISITORS_REQUIRED', 'a home visit needs its visitors');
      return [
        {
          type: 'HomeVisitRecorded',
          data: {
            visitDate: cmd.visitDate,
            visitors: cmd.visitors,
            recordedBy: ctx.actor.id,
            recordedAt: ctx.now,
            ...(cmd.findings ? { personal: { findings: cmd.findings } } : {}),
          },
        },
      ];
    }

    case 'RecordConsent': {
      requireStatus(s, cmd.type, ['HomeVisited']);
      if (!isLocalDate(cmd.signedDate) || cmd.signedDate > on)
        throw ruleViolation('INVALID_DATE', 'signedDate must be a date not in the future', { signedDate: cmd.signedDate });
      if (!Array.isArray(cmd.scopes) || cmd.scopes.length === 0) throw ruleViolation('CONSENT_SCOPE_REQUIRED', 'consent must name what it covers');
      return [
        {
          type: 'ConsentRecorded',
          data: {
            signedDate: cmd.signedDate,
            scopes: cmd.scopes,
            ...(cmd.documentRef ? { documentRef: cmd.documentRef } : {}),
            recordedBy: ctx.actor.id,
            recordedAt: ctx.now,
            ...(cmd.signedByName ? { personal: { signedByName: cmd.signedByName } } : {}),
          },
        },
      ];
    }

    case 'RecordEconomicCheck': {
      requireStatus(s, cmd.type, ['ConsentSigned', 'Reopened', 'EconomicCheckDone', 'PublicNotice']);
      validateStats(cmd.stats);
      if (!Array.isArray(cmd.sources) || cmd.sources.length === 0)
        throw ruleViolation('CHECK_SOURCES_REQUIRED', 'an economic check names the sources it verified against');
      const restart = s.status === 'PublicNotice';
      return [
        {
          type: 'EconomicCheckRecorded',
          data: {
            stats: cmd.stats,
            sources: cmd.sources,
            checkedBy: ctx.actor.id,
            checkedAt: ctx.now,
            noticeRestarted: restart,
            ...(cmd.note ? { personal: { note: cmd.note } } : {}),
          },
        },
        ...(restart ? cancelPendingDeadlines(s.deadlines, 'economic re-check', [PUBLIC_NOTICE_KIND]) : []),
      ];
    }

    case 'StartPublicNotice': {
      requireStatus(s, cmd.type, ['EconomicCheckDone']);
      const rule = ctx.rules.deadline(hardshipRuleKey(PUBLIC_NOTICE_KIND), s.jurisdiction, on);
      const min = hardshipLimit(ctx, s.jurisdiction, 'hardship.publicNotice.minDays', on);
      const max = hardshipLimit(ctx, s.jurisdiction, 'hardship.publicNotice.maxDays', on);
      const days = cmd.days ?? rule.days;
      if (!isNonNegInt(days) || days < min || days > max)
        throw ruleViolation('NOTICE_PERIOD_OUT_OF_RANGE', `the public notice lasts ${min}–${max} days`, { days, min, max });
      const opened = openDeadline(s.deadlines, PUBLIC_NOTICE_KIND, { ...rule, days }, on, s.orgUnit, ctx);
      return [
        {
          type: 'PublicNoticeStarted',
          data: {
            deadlineId: opened.data.deadlineId,
            days,
            startDate: on,
            endDate: opened.data.dueDate,
            ...(cmd.where ? { where: cmd.where } : {}),
            startedBy: ctx.actor.id,
            startedAt: ctx.now,
          },
        },
        opened,
      ];
    }

    case 'RaiseObjection': {
      requireStatus(s, cmd.type, ['PublicNotice']);
      if (s.noticeCompleted) throw ruleViolation('PUBLIC_NOTICE_CLOSED', 'objections are raised during the public notice period');
      requireText(cmd.objectionId, 'INVALID_COMMAND', 'objectionId');
      if (s.objections[cmd.objectionId]) throw ruleViolation('OBJECTION_EXISTS', `objection ${cmd.objectionId} already recorded`);
      requireText(cmd.content, 'OBJECTION_CONTENT_REQUIRED', 'the objection');
      return [
        {
          type: 'ObjectionRaised',
          data: {
            objectionId: cmd.objectionId,
            raisedAt: ctx.now,
            recordedBy: ctx.actor.id,
            personal: {
              content: cmd.content,
              ...(cmd.objectorName ? { objectorName: cmd.objectorName } : {}),
              ...(cmd.objectorContact ? { objectorContact: cmd.objectorContact } : {}),
            },
          },
        },
      ];
    }

    case 'ResolveObjection': {
      requireStatus(s, cmd.type, ['PublicNotice']);
      const o = s.objections[cmd.objectionId];
      if (!o) throw notFound('OBJECTION_NOT_FOUND', `no objection ${cmd.objectionId}`);
      if (o.status !== 'open') throw ruleViolation('OBJECTION_ALREADY_RESOLVED', `objection ${cmd.objectionId} is ${o.status}`);
      if (!OBJECTION_OUTCOMES.includes(cmd.outcome)) throw ruleViolation('INVALID_COMMAND', `unknown outcome ${String(cmd.outcome)}`);
      return [
        {
          type: 'ObjectionResolved',
          data: {
            objectionId: cmd.objectionId,
            outcome: cmd.outcome,
            resolvedBy: ctx.actor.id,
            resolvedAt: ctx.now,
            ...(cmd.note ? { personal: { note: cmd.note } } : {}),
          },
        },
      ];
    }

    case 'RegisterFile': {
      requireStatus(s, cmd.type, ['PublicNotice']);
      if (!s.noticeCompleted) throw ruleViolation('PUBLIC_NOTICE_NOT_COMPLETED', 'the public notice period has not ended');
      const open = Object.values(s.objections).filter((o) => o.status === 'open').map((o) => o.objectionId);
      if (open.length) throw ruleViolation('OBJECTION_UNRESOLVED', 'objections raised during the notice are unresolved', { objections: open });
      const upheld = Object.values(s.objections).filter((o) => o.status === 'upheld').map((o) => o.objectionId);
      if (upheld.length)
        throw ruleViolation('OBJECTION_UPHELD', 'an objection was upheld: re-check the figures (new notice) or reject the file', { objections: upheld });
      const { computation, lineKey } = computeFor(s, s.verifiedStats ?? s.declaredStats!, ctx);
      const category = s.pendingOverride ?? computation.category;
      if (!category) throw notEligible(computation);
      const rule = ctx.rules.deadline(hardshipRuleKey(ANNUAL_REVIEW_KIND), s.jurisdiction, on);
      return [
        {
          type: 'HardshipFileRegistered',
          data: {
            category,
            overridden: s.pendingOverride !== null,
            computation,
            lowIncomeLineKey: lineKey,
            registeredBy: ctx.actor.id,
            registeredAt: ctx.now,
            registeredDate: on,
            previousRegistrations: s.registrations,
          },
        },
        openDeadline(s.deadlines, ANNUAL_REVIEW_KIND, rule, on, s.orgUnit, ctx),
      ];
    }

    case 'OverrideCategory': {
      requireStatus(s, cmd.type, ['EconomicCheckDone', 'PublicNotice', 'Registered', 'AnnualReview']);
      if (!HARDSHIP_CATEGORIES.includes(cmd.category))
        throw ruleViolation('UNKNOWN_CATEGORY', `unknown category ${String(cmd.category)}`, { category: cmd.category });
      requireText(cmd.reason, 'REASON_REQUIRED', 'a reason for the override');
      return [
        {
          type: 'CategoryOverridden',
          data: {
            category: cmd.category,
            previousCategory: s.category,
            pending: s.status !== 'Registered',
            approvedBy: ctx.actor.id,
            approvedAt: ctx.now,
            personal: { reason: cmd.reason },
          },
        },
      ];
    }

    case 'StartAnnualReview': {
      requireStatus(s, cmd.type, ['Registered']);
      return [{ type: 'AnnualReviewStarted', data: { startedBy: ctx.actor.id, startedAt: ctx.now } }];
    }

    case 'CompleteAnnualReview': {
      requireStatus(s, cmd.type, REGISTERED);
      if (cmd.outcome !== 'continue' && cmd.outcome !== 'exit') throw ruleViolation('INVALID_COMMAND', `unknown outcome ${String(cmd.outcome)}`);
      if (cmd.outcome === 'exit' && ctx.actor.role !== 'head') throw roleNotAllowed(ctx.actor.role, 'exit a file (CompleteAnnualReview: exit)');
      validateStats(cmd.stats);
      const pending = pendingOfKind(s.deadlines, ANNUAL_REVIEW_KIND);
      const onTime = pending.every((d) => ctx.now <= d.dueAt && d.status === 'open');
      const met: DeadlineEvent[] = meetDeadlines(s.deadlines, ANNUAL_REVIEW_KIND, ctx.now);
      const personal = cmd.note ? { personal: { note: cmd.note } } : {};

      if (cmd.outcome === 'continue') {
        const { computation } = computeFor(s, cmd.stats, ctx);
        const category = s.pendingOverride ?? computation.category;
        if (!category) throw notEligible(computation);
        const rule = ctx.rules.deadline(hardshipRuleKey(ANNUAL_REVIEW_KIND), s.jurisdiction, on);
        return [
          {
            type: 'AnnualReviewCompleted',
            data: {
              outcome: 'continue',
              stats: cmd.stats,
              category,
              overridden: s.pendingOverride !== null,
              computation,
              reviewedBy: ctx.actor.id,
              reviewedAt: ctx.now,
              onTime,
              ...personal,
            },
          },
          ...met,
          openDeadline(s.deadlines, ANNUAL_REVIEW_KIND, rule, on, s.orgUnit, ctx),
        ];
      }

      if (!cmd.exitReason) throw ruleViolation('EXIT_REASON_REQUIRED', 'an exit after review needs an exit reason');
      let computation: CategoryComputation | null = null;
      try {
        computation = computeFor(s, cmd.stats, ctx).computation;
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'LOW_INCOME_LINE_NOT_CONFIGURED') throw e;
      }
      // Exit from the state after the review deadline was met, so only other pending deadlines are cancelled.
      const exit = exitEvents(met.reduce<HardshipFileState>(evolveHardshipFile, s), cmd.exitReason, cmd.monthsAboveLine, undefined, ctx);
      return [
        {
          type: 'AnnualReviewCompleted',
          data: {
            outcome: 'exit',
            stats: cmd.stats,
            category: computation?.category ?? null,
            overridden: false,
            computation,
            reviewedBy: ctx.actor.id,
            reviewedAt: ctx.now,
            onTime,
            ...personal,
          },
        },
        ...met,
        ...exit,
      ];
    }

    case 'ExitFile': {
      requireStatus(s, cmd.type, REGISTERED);
      return exitEvents(s, cmd.reason, cmd.monthsAboveLine, cmd.note, ctx);
    }

    case 'RejectFile': {
      requireStatus(s, cmd.type, PRE_REGISTRATION);
      const reason = requireText(cmd.reason, 'REASON_REQUIRED', 'a reason for the rejection');
      return [
        { type: 'HardshipFileRejected', data: { fromStatus: s.status, rejectedBy: ctx.actor.id, rejectedAt: ctx.now, personal: { reason } } },
        ...cancelPendingDeadlines(s.deadlines, 'file rejected'),
      ];
    }

    case 'ReopenFile': {
      requireStatus(s, cmd.type, ['Exited']);
      const reason = requireText(cmd.reason, 'REASON_REQUIRED', 'a reason for reopening (返困)');
      if (s.exitReason === 'death' || s.exitReason === 'transfer')
        throw ruleViolation('REOPEN_NOT_ALLOWED', `a file exited for ${s.exitReason} is not reopened: open a new file`, { exitReason: s.exitReason });
      if (s.retentionUntil && on > s.retentionUntil)
        throw ruleViolation('RETENTION_EXPIRED', 'the retention period has ended: open a new file', { retentionUntil: s.retentionUntil });
      return [
        {
          type: 'HardshipFileReopened',
          data: { previousExitReason: s.exitReason!, reopenedBy: ctx.actor.id, reopenedAt: ctx.now, personal: { reason } },
        },
      ];
    }

    case 'ProposeAid': {
      requireStatus(s, cmd.type, REGISTERED);
      requireText(cmd.aidId, 'INVALID_COMMAND', 'aidId');
      if (s.aids[cmd.aidId]) throw ruleViolation('AID_EXISTS', `aid ${cmd.aidId} already exists`, { aidId: cmd.aidId });
      if (!AID_KINDS.includes(cmd.kind)) throw ruleViolation('UNKNOWN_AID_KIND', `unknown aid kind ${String(cmd.kind)}`, { kind: cmd.kind });
      if (!isValidYuan(cmd.amountYuan)) throw ruleViolation('INVALID_AMOUNT', 'amountYuan must be ≥ 0 with at most 2 decimals', { amountYuan: cmd.amountYuan });
      if (cmd.amountYuan > 0 && !cmd.fundId) throw ruleViolation('FUND_REQUIRED', 'a monetary aid names the fund it draws on');
      if (CAMPAIGN_AID_KINDS.includes(cmd.kind)) {
        const w = campaignWindow(ctx, s.jurisdiction, cmd.kind, on);
        if (!inWindow(w, on))
          throw ruleViolation('CAMPAIGN_WINDOW_CLOSED', `${cmd.kind} is proposed only during its campaign`, { kind: cmd.kind, fromMonthDay: w.from, toMonthDay: w.to, date: on });
      }
      const limits = aidLimits(ctx, s.jurisdiction, cmd.kind, on);
      if (toFen(cmd.amountYuan) > toFen(limits.maxYuan))
        throw ruleViolation('AID_LIMIT_EXCEEDED', `${cmd.kind} aid is at most ${limits.maxYuan} yuan`, { kind: cmd.kind, maxYuan: limits.maxYuan, amountYuan: cmd.amountYuan });
      return [
        {
          type: 'AidProposed',
          data: {
            aidId: cmd.aidId,
            kind: cmd.kind,
            amountYuan: cmd.amountYuan,
            ...(cmd.fundId ? { fundId: cmd.fundId } : {}),
            category: s.category,
            orgUnit: s.orgUnit,
            proposedBy: ctx.actor.id,
            proposedAt: ctx.now,
            proposedDate: on,
            ...(cmd.note ? { personal: { note: cmd.note } } : {}),
          },
        },
      ];
    }

    case 'ApproveAid': {
      requireStatus(s, cmd.type, REGISTERED);
      const a = getAid(s, cmd.aidId);
      if (a.status !== 'Proposed') throw invalidAidTransition(cmd.type, a);
      const limits = aidLimits(ctx, s.jurisdiction, a.kind, on);
      if (toFen(a.amountYuan) > toFen(limits.maxYuan))
        throw ruleViolation('AID_LIMIT_EXCEEDED', `${a.kind} aid is at most ${limits.maxYuan} yuan`, { kind: a.kind, maxYuan: limits.maxYuan, amountYuan: a.amountYuan });
      const upperLevel = toFen(a.amountYuan) > toFen(limits.upperApprovalAboveYuan);
      if (upperLevel && ctx.actor.orgUnit === s.orgUnit)
        throw ruleViolation('UPPER_LEVEL_APPROVAL_REQUIRED', `${a.kind} aid above ${limits.upperApprovalAboveYuan} yuan is approved by the level above`, {
          kind: a.kind,
          amountYuan: a.amountYuan,
          upperApprovalAboveYuan: limits.upperApprovalAboveYuan,
          fileOrgUnit: s.orgUnit,
        });
      return [
        {
          type: 'AidApproved',
          data: {
            aidId: a.aidId,
            approvedBy: ctx.actor.id,
            approverOrgUnit: ctx.actor.orgUnit,
            approvedAt: ctx.now,
            upperLevel,
            upperApprovalAboveYuan: limits.upperApprovalAboveYuan,
            maxYuan: limits.maxYuan,
          },
        },
      ];
    }

    case 'RecordDisbursement': {
      requireStatus(s, cmd.type, REGISTERED);
      const a = getAid(s, cmd.aidId);
      if (a.status !== 'Approved') throw invalidAidTransition(cmd.type, a);
      if (cmd.method !== undefined && !DISBURSEMENT_METHODS.includes(cmd.method))
        throw ruleViolation('INVALID_COMMAND', `unknown disbursement method ${String(cmd.method)}`);
      return [
        {
          type: 'AidDisbursed',
          data: {
            aidId: a.aidId,
            kind: a.kind,
            amountYuan: a.amountYuan,
            ...(a.fundId ? { fundId: a.fundId } : {}),
            month: on.slice(0, 7),
            method: cmd.method ?? defaultMethod(a.kind, a.amountYuan),
            ...(cmd.reference ? { reference: cmd.reference } : {}),
            disbursedBy: ctx.actor.id,
            disbursedAt: ctx.now,
          },
        },
      ];
    }

    case 'AcknowledgeAid': {
      const a = getAid(s, cmd.aidId);
      if (a.status !== 'Disbursed') throw invalidAidTransition(cmd.type, a);
      return [
        {
          type: 'AidAcknowledged',
          data: { aidId: a.aidId, ...(cmd.receiptRef ? { receiptRef: cmd.receiptRef } : {}), recordedBy: ctx.actor.id, acknowledgedAt: ctx.now },
        },
      ];
    }

    case 'RevokeAid': {
      const a = getAid(s, cmd.aidId);
      if (a.status !== 'Proposed' && a.status !== 'Approved' && a.status !== 'Disbursed') throw invalidAidTransition(cmd.type, a);
      const reason = requireText(cmd.reason, 'REASON_REQUIRED', 'a reason for the revocation');
      return [revokeEvent(a, 'decision', ctx, reason)];
    }
  }
}

export const hardshipFileDecider: Decider<HardshipCommand, HardshipEvent, HardshipFileState> = {
  category: 'hardship',
  initialState: initialHardshipFileState,
  evolve: evolveHardshipFile,
  decide: decideHardship,
};

/** The file's role table, for the one table of libs/domain/src/common/command-roles.ts. */
export const HARDSHIP_COMMAND_ROLES = ROLES;
