import type { Actor } from '../common/actor';
import type { Decider, DecisionContext, DomainEvent } from '../common/decider';
import { forbidden, ruleViolation } from '../common/domain-error';
import type { OrgDirectory } from '../org/org-directory';
import type { PetitionState } from './petition.state';

/**
 * The repeat rule (信访工作条例 art. 19, 36; domain-spec §0): the same petitioner on the same subject while a case is
 * open, or after 复核 closed it, is linked to that case instead of opening a new one.
 *
 * One small stream per repeat key (`repeatkey-<id>`, the id a hash of the petitioner's blind index and the
 * normalised subject, computed at the edge: no personal value in it) records which case holds the key. It is
 * decided from the log, appended with the expected revision, so two simultaneous registrations cannot both
 * hold it. A holder that closed other than by 复核, or whose petitioner was erased after the claim, no longer
 * holds it: the next new case claims it anew.
 */

const REGS = '信访工作条例';

/** What the log says about the case that holds a key (loaded by the command side, passed in as data). */
export interface RepeatHolderFacts {
  petitionId: string;
  /** The holder's state folded from its own stream. */
  state: Pick<PetitionState, 'status' | 'closeReason' | 'orgUnit' | 'accusedOrgUnit'>;
  /** When the holder claimed the key (domain time). */
  claimedAt: string;
  /** When the petitioner of this key was erased (SubjectErased), if ever. */
  erasedAt?: string;
}

export type RepeatKeyCommand = {
  type: 'ClaimRepeatKey';
  petitionId: string;
  orgUnit: string;
  /** The holder the claimant saw (undefined: none); a different holder now means someone claimed it meanwhile. */
  seenHolder?: string;
  /** Why the holder seen no longer holds it (checked against the facts by `holdsKey`). */
  seenHolderFacts?: RepeatHolderFacts;
};

export type RepeatKeyClaimed = DomainEvent<
  'RepeatKeyClaimed',
  { petitionId: string; orgUnit: string; claimedAt: string; previousHolder?: string; legalBasis: string }
>;
export type RepeatKeyEvent = RepeatKeyClaimed;

export interface RepeatKeyState {
  holder?: { petitionId: string; orgUnit: string; claimedAt: string };
}

/** A case takes repeats while open, or after 复核 closed it (art. 36); not once its petitioner was erased. */
export function holdsKey(facts: RepeatHolderFacts): boolean {
  const s = facts.state;
  if (s.status === 'None') return false;
  if (s.status === 'Closed' && s.closeReason !== 'rechecked') return false;
  return !(facts.erasedAt && Date.parse(facts.erasedAt) >= Date.parse(facts.claimedAt));
}

/**
 * May the submitter be told which case a repeat joins? Only who can read that case: the case's unit lies in
 * their subtree and, for an accusation, they are not of the accused org (art. 46(5)).
 */
export function mayKnowCase(actor: Actor, facts: RepeatHolderFacts, org: OrgDirectory): boolean {
  const { orgUnit, accusedOrgUnit } = facts.state;
  if (!orgUnit || !org.isWithin(orgUnit, actor.orgUnit)) return false;
  return !(accusedOrgUnit && org.isWithin(actor.orgUnit, accusedOrgUnit));
}

/**
 * Where a registration goes, given the holders of its keys: a new case (`new`), the repeat recorded on the
 * holder by the submitter who may know it (`join`), or a new case in the submitter's unit that Hearth itself
 * links to the holder (`link`), so the submitter's answer does not tell that the other case exists.
 */
export type RepeatRoute = { kind: 'new' } | { kind: 'join' | 'link'; caseId: string };

export function routeRegistration(petitionId: string, holders: readonly RepeatHolderFacts[], actor: Actor, org: OrgDirectory): RepeatRoute {
  const holder = holders.find((h) => h.petitionId !== petitionId && holdsKey(h));
  if (!holder) return { kind: 'new' };
  return { kind: mayKnowCase(actor, holder, org) ? 'join' : 'link', caseId: holder.petitionId };
}

function decide(command: RepeatKeyCommand, state: RepeatKeyState, ctx: DecisionContext): RepeatKeyEvent[] {
  // Keys are claimed by Hearth itself on behalf of a registration that was already decided.
  if (ctx.actor.role !== 'system') throw forbidden('ROLE_NOT_ALLOWED', `role ${ctx.actor.role} may not ${command.type}`);
  const current = state.holder?.petitionId;
  if (current === command.petitionId) return [];
  if (current !== command.seenHolder)
    throw ruleViolation('REPEAT_KEY_CHANGED', 'another case claimed this repeat key meanwhile', { holder: current });
  if (current && !(command.seenHolderFacts?.petitionId === current && !holdsKey(command.seenHolderFacts)))
    throw ruleViolation('REPEAT_KEY_HELD', 'an open case holds this repeat key', { holder: current });
  return [
    {
      type: 'RepeatKeyClaimed',
      data: {
        petitionId: command.petitionId,
        orgUnit: command.orgUnit,
        claimedAt: ctx.now,
        ...(current ? { previousHolder: current } : {}),
        legalBasis: `${REGS} art. 19, 36`,
      },
    },
  ];
}

function evolve(state: RepeatKeyState, event: RepeatKeyEvent): RepeatKeyState {
  if (event.type !== 'RepeatKeyClaimed') return state;
  const { petitionId, orgUnit, claimedAt } = event.data;
  return { holder: { petitionId, orgUnit, claimedAt } };
}

export const repeatKeyDecider: Decider<RepeatKeyCommand, RepeatKeyEvent, RepeatKeyState> = {
  category: 'repeatkey',
  initialState: {},
  evolve,
  decide,
};
