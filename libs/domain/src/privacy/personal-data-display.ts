/**
 * The one personal-data display policy (domain-spec §5; 个人信息保护法 art. 6 "minimum necessary", art. 28 sensitive
 * data): for every read path, which kind of personal value a role sees in plaintext and which it sees masked.
 * Every read path (case histories of all workflows, audit exports, as-of, read models, alerts, SSE, webhooks) asks
 * this table; a value it shows is decrypted only after a `PersonalDataRevealed` was logged.
 *
 * | kind       | intake | officer   | mediator      | head      | supervisor | auditor | others |
 * |------------|--------|-----------|---------------|-----------|------------|---------|--------|
 * | name       | masked | shown (1) | shown (2)     | shown (1) | masked     | masked  | masked |
 * | contact    | masked | shown (1) | shown (2)     | masked    | masked     | masked  | masked |
 * | idNumber   | masked | masked    | masked        | masked    | masked     | masked  | masked |
 * | narrative  | masked | shown (1) | shown (2)     | shown (1) | masked     | masked  | masked |
 * | employer   | masked | shown (1) | shown (2)     | shown (1) | shown (1)  | masked  | masked |
 * | sensitive  | masked | masked    | masked        | masked    | masked     | masked  | masked |
 *
 * Narrative (facts, requests, session notes) is free text that names people, so only roles that see names see it.
 * (1) the case is in the reader's subtree (the route's scope check); (2) only on a mediation case the reader is the
 * assigned mediator of. Intake sees what it typed in its own registration answer, nothing afterwards. Auditors see
 * every value masked and reveal one subject at a time through the logged privacy request
 * (`POST /privacy/subjects/{id}/reveal`). Audit exports (json/csv/html/timeline) and as-of are always masked: they
 * are documents that leave the case's handling. Read models, alert inboxes, SSE and webhook payloads hold no personal
 * value at all (they are built from the encrypted log and copy only ids, units, dates and counts).
 */

export const PERSONAL_FIELD_KINDS = ['name', 'contact', 'idNumber', 'narrative', 'employer', 'sensitive'] as const;
export type PersonalFieldKind = (typeof PERSONAL_FIELD_KINDS)[number];

/** When a role sees a kind: never, when the case is in its subtree, or only on a mediation case assigned to it. */
export type DisplayRule = 'masked' | 'inSubtree' | 'assignedMediator';

const ALL_MASKED: Readonly<Record<PersonalFieldKind, DisplayRule>> = {
  name: 'masked',
  contact: 'masked',
  idNumber: 'masked',
  narrative: 'masked',
  employer: 'masked',
  sensitive: 'masked',
};

/** The table above, as data. Roles not listed (admin, system, portal) see everything masked. */
export const PERSONAL_DATA_DISPLAY: Readonly<Record<string, Readonly<Record<PersonalFieldKind, DisplayRule>>>> = {
  intake: ALL_MASKED,
  // Handles the case and answers the petitioner (信访工作条例 art. 23, 34): needs who and how to reach them.
  officer: { ...ALL_MASKED, name: 'inSubtree', contact: 'inSubtree', narrative: 'inSubtree', employer: 'inSubtree' },
  // Runs the sessions of its own case with both parties (劳动争议调解仲裁法 art. 13–14).
  mediator: { ...ALL_MASKED, name: 'assignedMediator', contact: 'assignedMediator', narrative: 'assignedMediator', employer: 'assignedMediator' },
  // Signs answers and decisions: who it is and what it is about, not how to reach them.
  head: { ...ALL_MASKED, name: 'inSubtree', narrative: 'inSubtree', employer: 'inSubtree' },
  // Oversight (交办/督办) needs the matter, not the person: the plaintext subject line and category, the employer. The
  // facts and requests are free text that names people, so they count as names.
  supervisor: { ...ALL_MASKED, employer: 'inSubtree' },
  auditor: ALL_MASKED,
};

/** Subject roles whose every value is sensitive (个人信息保护法 art. 28: hardship status, health, bank accounts, minors). */
const SENSITIVE_SUBJECT_ROLES = new Set(['household', 'member', 'head']);
const ID_FIELDS = new Set(['idNumber', 'licenceNumber']);
const NAME_FIELDS = new Set(['name', 'headName', 'objectorName']);

/**
 * The kind of a personal value, from what its subject is to the case (the envelope's role: petitioner, worker,
 * employer, case, household, …) and its JSON pointer in the event (`/petitioners/0/phone`).
 */
export function personalFieldKind(subjectRole: string, pointer: string): PersonalFieldKind {
  if (SENSITIVE_SUBJECT_ROLES.has(subjectRole)) return 'sensitive';
  if (subjectRole === 'case') return 'narrative';
  if (subjectRole === 'employer') return 'employer';
  const segments = pointer.split('/');
  const last = segments[segments.length - 1] ?? '';
  if (ID_FIELDS.has(last)) return 'idNumber';
  if (NAME_FIELDS.has(last)) return 'name';
  return 'contact';
}

/** What the reader is to the case: decided by the read path from the case's own events. */
export interface DisplayFacts {
  /** The case belongs (or was sent) to a unit within the reader's subtree. */
  inSubtree: boolean;
  /** A mediation case whose assigned mediator is the reader. */
  assignedMediator: boolean;
}

/** Whether `role` sees a value of `kind` in plaintext on a case-handling view (never on audit exports). */
export function mayShowPersonal(role: string, kind: PersonalFieldKind, facts: DisplayFacts): boolean {
  const rule = (PERSONAL_DATA_DISPLAY[role] ?? ALL_MASKED)[kind];
  if (rule === 'inSubtree') return facts.inSubtree;
  if (rule === 'assignedMediator') return facts.inSubtree && facts.assignedMediator;
  return false;
}
