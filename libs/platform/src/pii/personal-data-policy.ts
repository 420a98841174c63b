import { derivedId } from '@hearth/event-store';
import { personSubjectId, petitionerKey } from './blind-index';
import type { SubjectKind } from './key-store';
import { ERASED } from './personal-data-cipher';

/**
 * Which parts of which events are personal data (domain-spec §5) and whose they are. Every personal leaf is
 * encrypted with the data key of its subject before the event is appended; erasing a subject destroys its keys.
 *
 * Subjects (crypto-shredding units), all UUIDs:
 * - `person`: one per human being. Known by a resident ID number → derived from a keyed hash of the number, so the
 *   same person is one subject across every case (petitioner, worker, head of household, household member) and one
 *   erasure covers all of it. Without an ID number → derived from the stream and the person's place in the case
 *   (petitioner index, worker id, member index, objection id, legal-aid request).
 * - `household`: the shared data of a hardship file (address, bank account, situation, every note about the
 *   household), one per file.
 * - `case`: the shared narrative of a petition or mediation case (facts, request, session notes, the employer),
 *   one per case.
 *
 * Non-personal members stay in the clear, so statistics, state and decisions survive erasure: ids (workerId),
 * flags (migrantWorker), counts, amounts, dates, codes, staff ids, blind-index values.
 */

export interface SubjectRef {
  subjectId: string;
  kind: SubjectKind;
  /** Blind-index values of this subject recorded with this event (removed when the subject is erased). */
  blindIndexes?: Array<{ scope: string; value: string }>;
}

export interface RuleContext {
  streamId: string;
  /** The whole event data. */
  data: Record<string, unknown>;
  /** Index of the item when `at` runs over an array. */
  index: number;
}

export interface PersonalRule {
  /** Dot path from the data root to the item(s); `*` runs over every array element; '' is the root. */
  at: string;
  /** Members of each item that are personal (dot paths); omitted: every leaf of the item not taken by an earlier rule. */
  fields?: readonly string[];
  /** What the subject is to the case (shown when listing a case's subjects): petitioner, worker, head, … */
  role: string;
  subject(item: Record<string, unknown>, ctx: RuleContext): SubjectRef;
}

export type PersonalDataPolicy = (eventType: string, streamId: string, data: unknown) => readonly PersonalRule[];

export const BLIND_INDEX_SCOPES = { petitioner: 'petitioner', hardshipFile: 'hardship-file' } as const;

/** An ID number given for the person; a value already erased ('[erased]', e.g. copied from an erased event) is none. */
const idNumberOf = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' && v !== ERASED ? v : undefined);

export function hearthPersonalDataPolicy(blindIndexKey: string): PersonalDataPolicy {
  const person = (idNumber: unknown, streamId: string, local: string, blind?: (id: string) => SubjectRef['blindIndexes']): SubjectRef => {
    const id = idNumberOf(idNumber);
    const subjectId = id ? personSubjectId(id, blindIndexKey) : derivedId(`hearth-subject|person|${streamId}|${local}`);
    return { subjectId, kind: 'person', ...(id && blind ? { blindIndexes: blind(id) } : {}) };
  };
  const household = (streamId: string): SubjectRef => ({ subjectId: derivedId(`hearth-subject|household|${streamId}`), kind: 'household' });
  const caseSubject = (streamId: string): SubjectRef => ({ subjectId: derivedId(`hearth-subject|case|${streamId}`), kind: 'case' });
  const caseRule = (at: string, fields: readonly string[] | undefined, role = 'case'): PersonalRule => ({
    at,
    ...(fields ? { fields } : {}),
    role,
    subject: (_i, c) => caseSubject(c.streamId),
  });
  const workers = (at: string): PersonalRule => ({
    at,
    fields: ['name', 'idNumber', 'phone'],
    role: 'worker',
    subject: (w, c) => person(w.idNumber, c.streamId, `worker|${String(w.workerId ?? c.index)}`),
  });
  const householdRest: PersonalRule = { at: 'personal', role: 'household', subject: (_i, c) => household(c.streamId) };

  const rules: Record<string, readonly PersonalRule[]> = {
    PetitionRegistered: [
      {
        at: 'petitioners.*',
        role: 'petitioner',
        subject: (p, c) =>
          person(p.idNumber, c.streamId, `petitioner|${c.index}`, (id) => [{ scope: BLIND_INDEX_SCOPES.petitioner, value: petitionerKey(id, blindIndexKey) }]),
      },
      caseRule('', ['facts', 'request']),
    ],
    RepeatPetitionReceived: [caseRule('', ['facts', 'request'])],
    PetitionRoutedOut: [workers('mediation.workers.*'), caseRule('mediation.employer', undefined, 'employer')],
    MediationApplied: [workers('workers.*'), caseRule('employer', undefined, 'employer'), caseRule('', ['facts'])],
    SessionHeld: [caseRule('', ['notes'])],
    LegalAidLawyerAssigned: [
      { at: 'lawyer', fields: ['name', 'licenceNumber'], role: 'lawyer', subject: (_l, c) => person(undefined, c.streamId, `lawyer|${String(c.data.requestNo)}`) },
    ],
    HardshipFileApplied: [
      {
        at: 'personal',
        fields: ['headName', 'idNumber', 'phone'],
        role: 'head',
        // The file id is the household's blind index (keyed hash of the head's ID number): erasure removes it.
        subject: (p, c) => person(p.idNumber, c.streamId, 'head', () => [{ scope: BLIND_INDEX_SCOPES.hardshipFile, value: String(c.data.fileId) }]),
      },
      { at: 'personal.members.*', role: 'member', subject: (m, c) => person(m.idNumber, c.streamId, `member|${c.index}`) },
      householdRest,
    ],
    ObjectionRaised: [
      {
        at: 'personal',
        fields: ['objectorName', 'objectorContact'],
        role: 'objector',
        subject: (_p, c) => person(undefined, c.streamId, `objector|${String(c.data.objectionId)}`),
      },
      householdRest,
    ],
  };

  return (eventType, _streamId, data) => {
    const own = rules[eventType] ?? [];
    // Hardship events keep every personal value under `personal` (hardship.events.ts): the household's by default.
    const hasPersonal = !!data && typeof data === 'object' && typeof (data as { personal?: unknown }).personal === 'object';
    return hasPersonal && !own.includes(householdRest) ? [...own, householdRest] : own;
  };
}
