import type { Actor, Role } from '../common/actor';
import { SYSTEM_ACTOR } from '../common/actor';
import { DecisionContext, fold } from '../common/decider';
import { DomainError } from '../common/domain-error';
import { defaultCalendar } from '../calendar/data';
import { defaultRuleBook } from '../rules/rule-tables';
import { OrgDirectory } from '../org/org-directory';
import { initialPetitionState } from './petition.state';
import { RepeatHolderFacts, RepeatKeyCommand, RepeatKeyEvent, repeatKeyDecider, routeRegistration } from './repeat-key.decider';

const org = new OrgDirectory([
  { id: 'city', name: '市总工会', level: 1 },
  { id: 'east', name: '东城区总工会', level: 2, parentId: 'city' },
  { id: 'west', name: '西城区总工会', level: 2, parentId: 'city' },
  { id: 'east-s1', name: '街道工会', level: 3, parentId: 'east' },
  { id: 'east-s1-g1', name: '基层工会1', level: 4, parentId: 'east-s1' },
]);
const who = (role: Role, orgUnit: string): Actor => ({ id: `${role}.${orgUnit}`, role, orgUnit });
const ctx = (actor: Actor, now = '2025-10-01T02:00:00.000Z'): DecisionContext => ({
  actor,
  now,
  calendar: defaultCalendar(),
  rules: defaultRuleBook(),
  org,
  jurisdiction: 'national',
});

const claimed = (petitionId: string, claimedAt = '2025-09-23T02:00:00.000Z'): RepeatKeyEvent => ({
  type: 'RepeatKeyClaimed',
  data: { petitionId, orgUnit: 'east-s1', claimedAt, legalBasis: '信访工作条例 art. 19, 36' },
});

/** The facts of a holder case as the command side reads them from its stream. */
const holder = (over: Partial<RepeatHolderFacts['state']> = {}, extra: Partial<RepeatHolderFacts> = {}): RepeatHolderFacts => ({
  petitionId: 'p-1',
  state: { ...initialPetitionState, status: 'Accepted', orgUnit: 'east-s1', ...over },
  claimedAt: '2025-09-23T02:00:00.000Z',
  ...extra,
});

function given(...events: RepeatKeyEvent[]) {
  const state = fold(repeatKeyDecider, events);
  return {
    when: (command: RepeatKeyCommand, c: DecisionContext) => {
      const run = () => repeatKeyDecider.decide(command, state, c);
      return {
        then: (expected: RepeatKeyEvent[]) => expect(run()).toEqual(expected),
        thenThrows: (code: string, kind: DomainError['kind'] = 'rule') => {
          let caught: unknown;
          try {
            run();
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(DomainError);
          expect({ code: (caught as DomainError).code, kind: (caught as DomainError).kind }).toEqual({ code, kind });
        },
      };
    },
  };
}

const claim = (petitionId: string, seen?: RepeatHolderFacts): RepeatKeyCommand => ({
  type: 'ClaimRepeatKey',
  petitionId,
  orgUnit: 'east-s1',
  ...(seen ? { seenHolder: seen.petitionId, seenHolderFacts: seen } : {}),
});

describe('repeat key (信访工作条例 art. 19, 36): which case holds a petitioner’s subject', () => {
  it('a new case claims a free key', () => {
    given().when(claim('p-1'), ctx(SYSTEM_ACTOR)).then([
      { type: 'RepeatKeyClaimed', data: { petitionId: 'p-1', orgUnit: 'east-s1', claimedAt: '2025-10-01T02:00:00.000Z', legalBasis: '信访工作条例 art. 19, 36' } },
    ]);
  });

  it('claiming again for the same case appends nothing (a retried registration)', () => {
    given(claimed('p-1')).when(claim('p-1'), ctx(SYSTEM_ACTOR)).then([]);
  });

  it('two simultaneous registrations cannot both hold the key: the one that saw it free loses once it is taken', () => {
    given(claimed('p-1')).when(claim('p-2'), ctx(SYSTEM_ACTOR)).thenThrows('REPEAT_KEY_CHANGED');
  });

  it('an open holder keeps the key; one closed other than by 复核 gives it up; after 复核 it keeps it', () => {
    given(claimed('p-1')).when(claim('p-2', holder()), ctx(SYSTEM_ACTOR)).thenThrows('REPEAT_KEY_HELD');
    given(claimed('p-1')).when(claim('p-2', holder({ status: 'Closed', closeReason: 'rechecked' })), ctx(SYSTEM_ACTOR)).thenThrows('REPEAT_KEY_HELD');
    given(claimed('p-1'))
      .when(claim('p-2', holder({ status: 'Closed', closeReason: 'withdrawn' })), ctx(SYSTEM_ACTOR))
      .then([
        {
          type: 'RepeatKeyClaimed',
          data: { petitionId: 'p-2', orgUnit: 'east-s1', claimedAt: '2025-10-01T02:00:00.000Z', previousHolder: 'p-1', legalBasis: '信访工作条例 art. 19, 36' },
        },
      ]);
  });

  it('a petitioner erased after the claim voids it (crypto-shredding); a claim after the erasure stands', () => {
    const erased = holder({}, { erasedAt: '2025-09-30T02:00:00.000Z' });
    given(claimed('p-1')).when(claim('p-2', erased), ctx(SYSTEM_ACTOR)).then([expect.objectContaining({ type: 'RepeatKeyClaimed' }) as RepeatKeyEvent]);
    const reclaimed = holder({}, { claimedAt: '2025-10-02T02:00:00.000Z', erasedAt: '2025-09-30T02:00:00.000Z' });
    given(claimed('p-1', '2025-10-02T02:00:00.000Z')).when(claim('p-2', reclaimed), ctx(SYSTEM_ACTOR)).thenThrows('REPEAT_KEY_HELD');
  });

  it('only Hearth claims keys, never a person', () => {
    given().when(claim('p-1'), ctx(who('intake', 'east-s1'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
  });
});

describe('where a registration goes (the accuser-identity oracle, issue 11)', () => {
  const accusation = holder({ category: 'accusation', orgUnit: 'east', accusedOrgUnit: 'east-s1-g1' } as Partial<RepeatHolderFacts['state']>);

  it('no holder, or one that gave the key up: a new case', () => {
    expect(routeRegistration('p-2', [], who('intake', 'east'), org)).toEqual({ kind: 'new' });
    expect(routeRegistration('p-2', [holder({ status: 'Closed', closeReason: 'resolved' })], who('intake', 'east'), org)).toEqual({ kind: 'new' });
    // Its own key (a retried registration) is no repeat.
    expect(routeRegistration('p-1', [holder()], who('intake', 'east'), org)).toEqual({ kind: 'new' });
  });

  it('a submitter who may read the holder joins it and may be told', () => {
    expect(routeRegistration('p-2', [holder()], who('intake', 'east'), org)).toEqual({ kind: 'join', caseId: 'p-1' });
    expect(routeRegistration('p-2', [holder()], who('intake', 'east-s1'), org)).toEqual({ kind: 'join', caseId: 'p-1' });
  });

  it('a submitter of another district, of a unit below the case or of the accused org gets a new case that Hearth links', () => {
    expect(routeRegistration('p-2', [holder()], who('intake', 'west'), org)).toEqual({ kind: 'link', caseId: 'p-1' });
    expect(routeRegistration('p-2', [holder()], who('intake', 'east-s1-g1'), org)).toEqual({ kind: 'link', caseId: 'p-1' });
    expect(routeRegistration('p-2', [accusation], who('intake', 'east-s1-g1'), org)).toEqual({ kind: 'link', caseId: 'p-1' });
    // The accusation's own district may know it.
    expect(routeRegistration('p-2', [accusation], who('intake', 'east'), org)).toEqual({ kind: 'join', caseId: 'p-1' });
  });
});
