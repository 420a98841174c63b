import type { Decider, DecisionContext } from '../common/decider';
import { forbidden, ruleViolation } from '../common/domain-error';
import type { ApproveErasure, RecordErasure, RequestErasure, SubjectCommand } from './subject.commands';
import { ERASURE_LEGAL_BASIS, ERASURE_REASONS, ErasureRequested, SubjectEvent } from './subject.events';

/** A subject's privacy log (`subject-<id>`): erasure requests, approvals, erasures. Reveals are logged here too. */
export interface SubjectState {
  erased: boolean;
  erasureId?: string;
  /** The open request, approved or not. */
  request?: ErasureRequested['data'] & { approvedBy?: string; approvedAt?: string };
}

export const initialSubjectState: SubjectState = { erased: false };

/** May request an erasure: a supervisor (any level) or the head of the city federation. */
function mayRequest(ctx: DecisionContext): boolean {
  const { actor, org } = ctx;
  return actor.role === 'supervisor' || (actor.role === 'head' && org.get(actor.orgUnit)?.level === 1);
}

/** Every owning unit must be the actor's unit or below it ("the owning unit's chain": same unit or above). */
function requireAboveAll(ctx: DecisionContext, owningUnits: readonly string[]): void {
  const outside = owningUnits.filter((u) => !ctx.org.isWithin(u, ctx.actor.orgUnit));
  if (outside.length) throw forbidden('OUTSIDE_ORG_SUBTREE', 'this subject has cases outside your subtree');
}

function requestErasure(c: RequestErasure, s: SubjectState, ctx: DecisionContext): SubjectEvent[] {
  if (!mayRequest(ctx)) throw forbidden('ERASURE_NOT_ALLOWED', 'only the head of the city federation or a supervisor may erase personal data');
  if (!ERASURE_REASONS.includes(c.reason)) throw ruleViolation('INVALID_ERASURE_REASON', `unknown erasure reason ${String(c.reason)}`);
  if (s.erased) throw ruleViolation('SUBJECT_ALREADY_ERASED', 'this subject was already erased', { erasureId: s.erasureId });
  requireAboveAll(ctx, c.owningUnits);
  if (s.request) throw ruleViolation('ERASURE_ALREADY_REQUESTED', 'an erasure of this subject is already waiting', { requestId: s.request.requestId });
  if (c.reason === 'retention_end' && c.openCases.length)
    throw ruleViolation('RETENTION_NOT_ENDED', 'the retention period of some of this subject’s cases has not ended', { cases: c.openCases });
  return [
    {
      type: 'ErasureRequested',
      data: {
        subjectId: c.subjectId,
        requestId: c.requestId,
        reason: c.reason,
        legalBasis: ERASURE_LEGAL_BASIS[c.reason],
        ...(c.reference ? { reference: c.reference } : {}),
        owningUnits: [...c.owningUnits].sort(),
        requestedBy: ctx.actor.id,
        requestedAt: ctx.now,
      },
    },
  ];
}

function approveErasure(c: ApproveErasure, s: SubjectState, ctx: DecisionContext): SubjectEvent[] {
  if (s.erased) throw ruleViolation('SUBJECT_ALREADY_ERASED', 'this subject was already erased', { erasureId: s.erasureId });
  const r = s.request;
  if (!r || r.requestId !== c.requestId) throw ruleViolation('ERASURE_NOT_REQUESTED', 'no such erasure request is waiting for approval', r ? { requestId: r.requestId } : undefined);
  // A retried approval by the same person (the keys may not be destroyed yet): nothing new to record.
  if (r.approvedBy === ctx.actor.id) return [];
  if (r.approvedBy || r.reason !== 'data_subject_request') throw ruleViolation('ERASURE_ALREADY_APPROVED', 'this erasure needs no further approval', { requestId: r.requestId });
  if (!(ctx.actor.role === 'head' || ctx.actor.role === 'supervisor')) throw forbidden('ERASURE_NOT_ALLOWED', 'only a head or a supervisor may approve an erasure');
  // Four eyes: a second, different person.
  if (ctx.actor.id === r.requestedBy) throw ruleViolation('FOUR_EYES_REQUIRED', 'the erasure must be approved by a person other than the requester', { requestedBy: r.requestedBy });
  requireAboveAll(ctx, [...new Set([...r.owningUnits, ...c.owningUnits])]);
  return [{ type: 'ErasureApproved', data: { subjectId: r.subjectId, requestId: r.requestId, approvedBy: ctx.actor.id, approvedAt: ctx.now } }];
}

/** Whether the keys of the subject may be destroyed for this request: approved by a second person, or the end of retention. */
export function erasureAuthorized(s: SubjectState, requestId: string): boolean {
  const r = s.request;
  return !s.erased && !!r && r.requestId === requestId && (r.reason === 'retention_end' || !!r.approvedBy);
}

function recordErasure(c: RecordErasure, s: SubjectState): SubjectEvent[] {
  // Logged once (a crash-recovery re-log of the same erasure appends nothing).
  if (s.erased) {
    if (s.erasureId === c.erasure.erasureId) return [];
    throw ruleViolation('SUBJECT_ALREADY_ERASED', 'this subject was already erased', { erasureId: s.erasureId });
  }
  const r = s.request;
  if (!r || r.requestId !== c.requestId) throw ruleViolation('ERASURE_NOT_REQUESTED', 'no such erasure request', { requestId: c.requestId });
  if (!erasureAuthorized(s, c.requestId)) throw ruleViolation('ERASURE_NOT_APPROVED', 'the erasure has not been approved by a second person');
  return [
    {
      type: 'SubjectErased',
      data: {
        ...c.erasure,
        reason: r.reason,
        legalBasis: r.legalBasis,
        ...(r.reference ? { reference: r.reference } : {}),
        requestId: r.requestId,
        requestedBy: r.requestedBy,
        ...(r.approvedBy ? { approvedBy: r.approvedBy } : {}),
      },
    },
  ];
}

/**
 * Erasure with four eyes (个人信息保护法 art. 47; domain-spec §5): a data-subject request is recorded by one person
 * (supervisor, or head of the city federation, above every owning unit) and approved by a second, different head or
 * supervisor above every owning unit; only then are the keys destroyed and `SubjectErased` recorded. The end of
 * retention (art. 19) is authorised by the rule itself once every case's retention has ended.
 */
export const subjectDecider: Decider<SubjectCommand, SubjectEvent, SubjectState> = {
  category: 'subject',
  initialState: initialSubjectState,
  decide(command, state, ctx) {
    switch (command.type) {
      case 'RequestErasure':
        return requestErasure(command, state, ctx);
      case 'ApproveErasure':
        return approveErasure(command, state, ctx);
      case 'RecordErasure':
        return recordErasure(command, state);
      default: {
        const never: never = command;
        throw ruleViolation('UNKNOWN_COMMAND', `unknown command ${(never as { type: string }).type}`);
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'ErasureRequested':
        return { ...state, request: { ...event.data } };
      case 'ErasureApproved':
        return state.request ? { ...state, request: { ...state.request, approvedBy: event.data.approvedBy, approvedAt: event.data.approvedAt } } : state;
      case 'SubjectErased':
        return { erased: true, erasureId: event.data.erasureId };
      default:
        return state;
    }
  },
};
