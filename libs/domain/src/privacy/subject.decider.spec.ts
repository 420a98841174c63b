import { scenario } from '../hardship/test/given-when-then';
import { calendar, ctx, org, rules, who } from '../hardship/test/hardship.fixtures';
import type { DecisionContext } from '../common/decider';
import type { Actor } from '../common/actor';
import { subjectDecider } from './subject.decider';
import type { RequestErasure } from './subject.commands';
import type { SubjectEvent } from './subject.events';

const subject = scenario(subjectDecider);
const NOW = '2025-11-03T02:00:00.000Z';
const as = (actor: Actor): DecisionContext => ({ ...ctx(actor, NOW), calendar, rules, org });

const supervisorA = who('supervisor', 'dist-a', 'sup.a');
const supervisorA2 = who('supervisor', 'dist-a', 'sup.a2');
const headCity = who('head', 'city', 'head.city');
const headS = who('head', 'street-a1', 'head.s');
const headB = who('head', 'dist-b', 'head.b');

const request = (over: Partial<RequestErasure> = {}): RequestErasure => ({
  type: 'RequestErasure',
  subjectId: 's1',
  requestId: 'r1',
  reason: 'data_subject_request',
  reference: 'PIPL-REQ-1',
  owningUnits: ['gr-a1'],
  openCases: [{ stream: 'petition-p1', why: 'case is Registered' }],
  ...over,
});
const requested = (): SubjectEvent[] => subject.given().when(request(), as(supervisorA)).thenMatch([{ type: 'ErasureRequested' }]);
const approved = (): SubjectEvent[] =>
  subject.given(requested()).when({ type: 'ApproveErasure', requestId: 'r1', owningUnits: ['gr-a1'] }, as(headS)).thenMatch([{ type: 'ErasureApproved' }]);
const erasure = { subjectId: 's1', kind: 'person', erasureId: 'e1', erasedBy: 'head.s', erasedAt: NOW, keyIds: ['k1'], streams: ['petition-p1'], blindIndexes: [] };

describe('subject decider: erasure with four eyes (个人信息保护法 art. 47)', () => {
  it('a data-subject request waits for approval; nothing is erased by one person', () => {
    subject
      .given()
      .when(request(), as(supervisorA))
      .then([
        {
          type: 'ErasureRequested',
          data: { subjectId: 's1', requestId: 'r1', reason: 'data_subject_request', legalBasis: '个人信息保护法 art. 47', reference: 'PIPL-REQ-1', owningUnits: ['gr-a1'], requestedBy: 'sup.a', requestedAt: NOW },
        },
      ]);
    subject.given(requested()).when({ type: 'RecordErasure', requestId: 'r1', erasure }, as(supervisorA)).thenThrows('ERASURE_NOT_APPROVED');
  });

  it('who may request: a supervisor or the city head, above every owning unit; once at a time', () => {
    subject.given().when(request(), as(headS)).thenThrows('ERASURE_NOT_ALLOWED', 'forbidden');
    subject.given().when(request(), as(who('officer', 'city'))).thenThrows('ERASURE_NOT_ALLOWED', 'forbidden');
    subject.given().when(request(), as(who('supervisor', 'dist-b'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    subject.given().when(request({ owningUnits: ['gr-a1', 'gr-b1'] }), as(supervisorA)).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    subject.given().when(request(), as(headCity)).thenMatch([{ type: 'ErasureRequested', data: { requestedBy: 'head.city' } }]);
    subject.given(requested()).when(request({ requestId: 'r2' }), as(headCity)).thenThrows('ERASURE_ALREADY_REQUESTED', 'rule', { requestId: 'r1' });
  });

  it('the approver is a second, different person: head or supervisor of the owning unit or above', () => {
    const approve = { type: 'ApproveErasure' as const, requestId: 'r1', owningUnits: ['gr-a1'] };
    subject.given(requested()).when(approve, as(supervisorA)).thenThrows('FOUR_EYES_REQUIRED');
    subject.given(requested()).when(approve, as(headB)).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    subject.given(requested()).when(approve, as(who('officer', 'dist-a'))).thenThrows('ERASURE_NOT_ALLOWED', 'forbidden');
    subject.given(requested()).when(approve, as(who('auditor', 'city'))).thenThrows('ERASURE_NOT_ALLOWED', 'forbidden');
    subject.given(requested()).when({ ...approve, requestId: 'other' }, as(supervisorA2)).thenThrows('ERASURE_NOT_REQUESTED');
    // A case that moved to another subtree since the request: the approver must be above it too.
    subject.given(requested()).when({ ...approve, owningUnits: ['gr-a1', 'gr-b1'] }, as(supervisorA2)).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    subject
      .given(requested())
      .when(approve, as(supervisorA2))
      .then([{ type: 'ErasureApproved', data: { subjectId: 's1', requestId: 'r1', approvedBy: 'sup.a2', approvedAt: NOW } }]);
    // The same approver again (a retry): nothing new; a third person: already approved.
    subject.given(approved()).when(approve, as(headS)).then([]);
    subject.given(approved()).when(approve, as(headCity)).thenThrows('ERASURE_ALREADY_APPROVED');
  });

  it('after approval the erasure is recorded once, naming requester and approver', () => {
    const erased = subject
      .given(approved())
      .when({ type: 'RecordErasure', requestId: 'r1', erasure }, as(headS))
      .then([
        {
          type: 'SubjectErased',
          data: { ...erasure, reason: 'data_subject_request', legalBasis: '个人信息保护法 art. 47', reference: 'PIPL-REQ-1', requestId: 'r1', requestedBy: 'sup.a', approvedBy: 'head.s' },
        },
      ]);
    subject.given(erased).when({ type: 'RecordErasure', requestId: 'r1', erasure }, as(headS)).then([]);
    subject.given(erased).when({ type: 'RecordErasure', requestId: 'r1', erasure: { ...erasure, erasureId: 'e2' } }, as(headS)).thenThrows('SUBJECT_ALREADY_ERASED');
    subject.given(erased).when(request({ requestId: 'r3' }), as(supervisorA)).thenThrows('SUBJECT_ALREADY_ERASED');
    subject.given(erased).when({ type: 'ApproveErasure', requestId: 'r1', owningUnits: [] }, as(headCity)).thenThrows('SUBJECT_ALREADY_ERASED');
    // Outsiders learn nothing about the subject: refused for who they are before anything about its state.
    subject.given(erased).when({ type: 'ApproveErasure', requestId: 'r1', owningUnits: ['gr-a1'] }, as(headB)).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    subject.given(erased).when(request({ requestId: 'r4' }), as(who('supervisor', 'dist-b'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    subject.given(requested()).when({ type: 'ApproveErasure', requestId: 'nope', owningUnits: ['gr-a1'] }, as(who('officer', 'city'))).thenThrows('ERASURE_NOT_ALLOWED', 'forbidden');
  });

  it('a request not yet approved may be withdrawn by its requester or declined by the chain, with a reason; then asked again', () => {
    const decline = { type: 'DeclineErasure' as const, requestId: 'r1', reason: '申请人身份无法核实', owningUnits: ['gr-a1'] };
    subject.given(requested()).when(decline, as(headB)).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    subject.given(requested()).when(decline, as(who('officer', 'gr-a1'))).thenThrows('ERASURE_NOT_ALLOWED', 'forbidden');
    subject.given(requested()).when({ ...decline, reason: ' ' }, as(headS)).thenThrows('REASON_REQUIRED');
    subject.given(approved()).when(decline, as(headCity)).thenThrows('ERASURE_ALREADY_APPROVED');
    subject.given(requested()).when({ ...decline, requestId: 'r9' }, as(headS)).thenThrows('ERASURE_NOT_REQUESTED');
    const declined = subject
      .given(requested())
      .when(decline, as(headS))
      .then([{ type: 'ErasureDeclined', data: { subjectId: 's1', requestId: 'r1', reason: '申请人身份无法核实', declinedBy: 'head.s', declinedAt: NOW } }]);
    subject.given(declined).when({ type: 'ApproveErasure', requestId: 'r1', owningUnits: ['gr-a1'] }, as(supervisorA2)).thenThrows('ERASURE_NOT_REQUESTED');
    subject.given(declined).when(request({ requestId: 'r2' }), as(supervisorA)).thenMatch([{ type: 'ErasureRequested', data: { requestId: 'r2' } }]);
    subject.given(requested()).when({ ...decline, reason: '撤回' }, as(supervisorA)).thenMatch([{ type: 'ErasureDeclined', data: { declinedBy: 'sup.a' } }]);
  });

  it('end of retention: one person suffices, but only once every case’s retention has ended', () => {
    subject
      .given()
      .when(request({ reason: 'retention_end' }), as(supervisorA))
      .thenThrows('RETENTION_NOT_ENDED', 'rule', { cases: [{ stream: 'petition-p1', why: 'case is Registered' }] });
    const asked = subject.given().when(request({ reason: 'retention_end', openCases: [] }), as(supervisorA)).thenMatch([{ type: 'ErasureRequested', data: { reason: 'retention_end' } }]);
    subject
      .given(asked)
      .when({ type: 'RecordErasure', requestId: 'r1', erasure: { ...erasure, erasedBy: 'sup.a' } }, as(supervisorA))
      .thenMatch([{ type: 'SubjectErased', data: { reason: 'retention_end', legalBasis: '个人信息保护法 art. 19, art. 47(1)(1)', requestedBy: 'sup.a' } }]);
    subject.given(asked).when({ type: 'ApproveErasure', requestId: 'r1', owningUnits: ['gr-a1'] }, as(headS)).thenThrows('ERASURE_ALREADY_APPROVED');
  });
});
