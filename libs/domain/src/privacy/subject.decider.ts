import type { Decider, DecisionContext } from '../common/decider';
import { forbidden, ruleViolation } from '../common/domain-error';
import type { ApproveErasure, DeclineErasure, RecordErasure, RequestErasure, SubjectCommand } from './subject.commands';
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
  if (outside.length) throw forbidden('OUTSIDE_ORG_SUBTREE', '该主体有不在您管辖范围内的案件');
}

function requestErasure(c: RequestErasure, s: SubjectState, ctx: DecisionContext): SubjectEvent[] {
  // Who and where first: an outsider learns nothing about the subject (403 before any 422).
  if (!mayRequest(ctx)) throw forbidden('ERASURE_NOT_ALLOWED', '只有市总工会负责人或上级督导人员可以申请删除个人信息');
  requireAboveAll(ctx, c.owningUnits);
  if (!ERASURE_REASONS.includes(c.reason)) throw ruleViolation('INVALID_ERASURE_REASON', `未知的删除理由 ${String(c.reason)}`);
  if (s.erased) throw ruleViolation('SUBJECT_ALREADY_ERASED', '该主体的个人信息已被删除', { erasureId: s.erasureId });
  if (s.request) throw ruleViolation('ERASURE_ALREADY_REQUESTED', '该主体已有待审批的删除申请', { requestId: s.request.requestId });
  if (c.reason === 'retention_end' && c.openCases.length)
    throw ruleViolation('RETENTION_NOT_ENDED', '该主体部分案件的保存期限尚未届满', { cases: c.openCases });
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
  if (!(ctx.actor.role === 'head' || ctx.actor.role === 'supervisor')) throw forbidden('ERASURE_NOT_ALLOWED', '只有单位负责人或督导人员可以审批删除申请');
  requireAboveAll(ctx, c.owningUnits);
  if (s.erased) throw ruleViolation('SUBJECT_ALREADY_ERASED', '该主体的个人信息已被删除', { erasureId: s.erasureId });
  const r = s.request;
  if (!r || r.requestId !== c.requestId) throw ruleViolation('ERASURE_NOT_REQUESTED', '没有待审批的该删除申请', r ? { requestId: r.requestId } : undefined);
  // A retried approval by the same person (the keys may not be destroyed yet): nothing new to record.
  if (r.approvedBy === ctx.actor.id) return [];
  if (r.approvedBy || r.reason !== 'data_subject_request') throw ruleViolation('ERASURE_ALREADY_APPROVED', '该删除申请无需再次审批', { requestId: r.requestId });
  // Four eyes: a second, different person.
  if (ctx.actor.id === r.requestedBy) throw ruleViolation('FOUR_EYES_REQUIRED', '删除申请须由申请人以外的另一人审批（双人复核）', { requestedBy: r.requestedBy });
  // Above the units the request was made for, too (a case may have moved since).
  requireAboveAll(ctx, r.owningUnits);
  return [{ type: 'ErasureApproved', data: { subjectId: r.subjectId, requestId: r.requestId, approvedBy: ctx.actor.id, approvedAt: ctx.now } }];
}

function declineErasure(c: DeclineErasure, s: SubjectState, ctx: DecisionContext): SubjectEvent[] {
  const r = s.request;
  const requester = !!r && r.requestedBy === ctx.actor.id;
  if (!requester) {
    if (!(ctx.actor.role === 'head' || ctx.actor.role === 'supervisor')) throw forbidden('ERASURE_NOT_ALLOWED', '只有单位负责人或督导人员可以驳回删除申请');
    requireAboveAll(ctx, c.owningUnits);
  }
  if (s.erased) throw ruleViolation('SUBJECT_ALREADY_ERASED', '该主体的个人信息已被删除', { erasureId: s.erasureId });
  if (!r || r.requestId !== c.requestId) throw ruleViolation('ERASURE_NOT_REQUESTED', '没有待审批的该删除申请', r ? { requestId: r.requestId } : undefined);
  if (r.approvedBy || r.reason !== 'data_subject_request') throw ruleViolation('ERASURE_ALREADY_APPROVED', '该删除申请已获批准，不能再驳回', { requestId: r.requestId });
  if (typeof c.reason !== 'string' || !c.reason.trim()) throw ruleViolation('REASON_REQUIRED', '驳回或撤回删除申请须说明理由');
  return [{ type: 'ErasureDeclined', data: { subjectId: r.subjectId, requestId: r.requestId, reason: c.reason, declinedBy: ctx.actor.id, declinedAt: ctx.now } }];
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
    throw ruleViolation('SUBJECT_ALREADY_ERASED', '该主体的个人信息已被删除', { erasureId: s.erasureId });
  }
  const r = s.request;
  if (!r || r.requestId !== c.requestId) throw ruleViolation('ERASURE_NOT_REQUESTED', '没有该删除申请', { requestId: c.requestId });
  if (!erasureAuthorized(s, c.requestId)) throw ruleViolation('ERASURE_NOT_APPROVED', '删除申请尚未经第二人审批');
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
      case 'DeclineErasure':
        return declineErasure(command, state, ctx);
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
      case 'ErasureDeclined': {
        if (state.request?.requestId !== event.data.requestId) return state;
        const { request: _declined, ...rest } = state;
        return rest;
      }
      case 'SubjectErased':
        return { erased: true, erasureId: event.data.erasureId };
      default:
        return state;
    }
  },
};
