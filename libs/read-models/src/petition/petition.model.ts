import type { AnswerOutcome, CloseReason, PetitionCategory, PetitionChannel, ReviewOutcome, RouteOutProcedure } from '@hearth/domain/petition/petition.events';
import type { PetitionStatus } from '@hearth/domain/petition/petition.state';
import { anyProvisional, provisionalFlag } from '../provisional-deadlines';

/**
 * Redis layout of the petition read model (all keys under the prefix, default `hearth:`). `<m>` is the case id
 * in compact form (`compactId`: a UUID as 22 base64url characters) — it is the member of every index.
 *   pet:<m>                  string  compact JSON `PetitionDoc` incl. the capped timeline (no facts, request text or personal data)
 *   pet:ix:ou:<unit>         zset    cases of the unit's subtree (the case's unit and each ancestor), score receivedAt ms
 *   pet:ix:st:<status>       zset    by status, score receivedAt ms
 *   pet:ix:open              zset    every case not Closed, score receivedAt ms
 *   pet:ix:as:<officerId>    zset    by handler, score receivedAt ms
 *   pet:ix:ch:<channel>      zset    by channel, score receivedAt ms
 *   pet:ix:cat:<category>    zset    by category, score receivedAt ms
 *   pet:ix:due               zset    next pending deadline per case, score dueAt ms (absent: nothing pending)
 *   pet:ctr:<unit>           hash    subtree counters (`PetitionCounters`)
 */
export const PETITION_NAMESPACE = 'pet:';

export const petitionKeys = (prefix: string) => ({
  /** `m` = compact id. */
  doc: (m: string) => `${prefix}pet:${m}`,
  byUnit: (unit: string) => `${prefix}pet:ix:ou:${unit}`,
  byStatus: (status: string) => `${prefix}pet:ix:st:${status}`,
  open: () => `${prefix}pet:ix:open`,
  byAssignee: (officerId: string) => `${prefix}pet:ix:as:${officerId}`,
  byChannel: (channel: string) => `${prefix}pet:ix:ch:${channel}`,
  byCategory: (category: string) => `${prefix}pet:ix:cat:${category}`,
  due: () => `${prefix}pet:ix:due`,
  counters: (unit: string) => `${prefix}pet:ctr:${unit}`,
  tmp: (token: string) => `${prefix}tmp:${token}`,
});

const COMPACT = /^[A-Za-z0-9_-]{22}$/;

/** A lowercase UUID → 22 base64url characters (saves ~15 bytes in every index entry); other ids unchanged, or `~id` if ambiguous. */
export function compactId(id: string): string {
  return uuidToCompact(id) ?? (COMPACT.test(id) || id.startsWith('~') ? `~${id}` : id);
}

const uuidBytes = Buffer.alloc(16);
const hexValue = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1);

/** A lowercase UUID as 22 base64url characters, else undefined (called for every event of a rebuild: no regex). */
function uuidToCompact(id: string): string | undefined {
  if (id.length !== 36 || id[8] !== '-' || id[13] !== '-' || id[18] !== '-' || id[23] !== '-') return undefined;
  let j = 0;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++;
    const hi = hexValue(id.charCodeAt(i));
    const lo = hexValue(id.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return undefined;
    uuidBytes[j++] = hi * 16 + lo;
  }
  return uuidBytes.toString('base64url');
}

export function expandId(m: string): string {
  if (m.startsWith('~')) return m.slice(1);
  if (!COMPACT.test(m)) return m;
  const h = Buffer.from(m, 'base64url').toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Instants are stored as epoch milliseconds in base 36 (8 characters instead of 24). */
export const packTime = (iso: string | undefined): string => {
  // Events appended together share their time: skip the parse for a repeat.
  if (iso === lastPacked[0]) return lastPacked[1];
  const t = iso ? Date.parse(iso) : NaN;
  const packed = Number.isFinite(t) ? t.toString(36) : '';
  lastPacked = [iso, packed];
  return packed;
};
let lastPacked: [string | undefined, string] = [undefined, ''];
export const unpackTime = (p: string | undefined): string => (p ? new Date(parseInt(p, 36)).toISOString() : '');
export const packedMs = (p: string | undefined): number => (p ? parseInt(p, 36) : 0);

/** A pending deadline as stored: [kind, dueAt (packed), ownerOrgUnit, missed level (0 = not missed), unit counted as overdue]. */
export type StoredDeadline = [string, string, string, number, string?];

/** Stored document; short keys because there is one per case. */
export interface PetitionDoc {
  /** subject */
  s: string;
  st: PetitionStatus;
  ch: PetitionChannel;
  ca: PetitionCategory;
  /** current org unit / registered org unit */
  ou: string;
  ro: string;
  /** handler (officer id) */
  as?: string;
  /** receivedAt (packed) */
  rc: string;
  hc: number;
  /** flags: collective, urgent, extended, identity known, receipt notified */
  co?: 1;
  ur?: 1;
  ex?: 1;
  ik?: 0;
  rn?: 1;
  /** acceptance decision: a = accepted, n = not accepted, r = routed out; decided on time */
  dc?: 'a' | 'n' | 'r';
  dot?: boolean;
  /** routed out to this procedure; the linked mediation case once it is opened */
  rt?: RouteOutProcedure;
  mi?: string;
  /** answer outcome, answered on time */
  ao?: AnswerOutcome;
  aot?: boolean;
  /** review / recheck outcomes */
  rv?: ReviewOutcome;
  rk?: ReviewOutcome;
  /** 交办 due date; transferred from */
  ad?: string;
  tf?: string;
  /** close reason and time */
  cr?: CloseReason;
  cl?: string;
  /** pending deadlines by id */
  dl: Record<string, StoredDeadline>;
  /** ids of pending deadlines counted provisionally (a year without a loaded holiday arrangement) */
  pv?: string[];
  /** last domain time (packed) and stream revision applied */
  up: string;
  rev: number;
  /** timeline, oldest first, capped: `<type code>|<packed time>|<compact actor id>` */
  tl: string[];
}

export interface PendingDeadline {
  deadlineId: string;
  kind: string;
  dueAt: string;
  ownerOrgUnit: string;
  /** Escalation level reached (0 = not missed). */
  missedLevel: number;
  overdue: boolean;
  /** Counted with the statutory holidays only (its year's arrangement is not loaded): recomputed when it is. */
  provisional?: true;
}

export interface TimelineEntry {
  type: string;
  at: string;
  actorId: string;
}

export interface PetitionSummary {
  id: string;
  streamId: string;
  subject: string;
  status: PetitionStatus;
  channel: PetitionChannel;
  category: PetitionCategory;
  orgUnit: string;
  assignee?: string;
  receivedAt: string;
  collective: boolean;
  urgent: boolean;
  extended: boolean;
  /** Next pending deadline (due time ISO), if any. */
  nextDueAt?: string;
  /** True when the next pending deadline has already been missed (per the event log). */
  missed: boolean;
  /** Some pending deadline is provisional (see PendingDeadline.provisional). */
  provisional?: true;
}

export interface PetitionDetail extends PetitionSummary {
  registeredOrgUnit: string;
  headcount: number;
  identityKnown: boolean;
  receiptNotified: boolean;
  decision?: 'accepted' | 'not_accepted' | 'routed_out';
  decidedOnTime?: boolean;
  routedTo?: RouteOutProcedure;
  /** The mediation case opened from this petition (routed out to mediation). */
  mediationId?: string;
  answerOutcome?: AnswerOutcome;
  answeredOnTime?: boolean;
  reviewOutcome?: ReviewOutcome;
  recheckOutcome?: ReviewOutcome;
  assignedDownDue?: string;
  transferredFrom?: string;
  closeReason?: CloseReason;
  closedAt?: string;
  deadlines: PendingDeadline[];
  /** Most recent last; capped (full history is in the event log). */
  timeline: TimelineEntry[];
  updatedAt: string;
  revision: number;
}

export const COUNTER_FIELDS = [
  'received',
  'accepted',
  'acceptedOnTime',
  'notAccepted',
  'routedOut',
  /** Routed out to mediation: a linked mediation case is opened (routed, not lost). */
  'routedToMediation',
  'answered',
  'answeredOnTime',
  'closed',
  'overdueNow',
  'reviews',
  'rechecks',
  'reversals',
  'collective',
  'urgent',
  'transferred',
  'assignedDown',
] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];

/**
 * Subtree totals. `accepted` counts every acceptance decision (accepted, not accepted or routed out: the
 * denominator of 及时受理率); `acceptedOnTime` those decided on time. `byChannel` / `byCategory` count receipts.
 */
export type PetitionCounters = Record<CounterField, number> & {
  byChannel: Record<string, number>;
  byCategory: Record<string, number>;
};

/** Event types get a short code in the timeline list; unknown types are stored by name. */
export const TIMELINE_TYPES = [
  'PetitionRegistered',
  'PetitionReceiptNotified',
  'PetitionAccepted',
  'PetitionNotAccepted',
  'PetitionRoutedOut',
  'PetitionTransferred',
  'PetitionTransferObjected',
  'PetitionAssignedDown',
  'CompletionReportSubmitted',
  'HandlerAssigned',
  'ProgressRecorded',
  'HandlingExtended',
  'AnswerDrafted',
  'PetitionAnswered',
  'ReviewRequested',
  'ReviewDecided',
  'RecheckRequested',
  'RecheckDecided',
  'PetitionClosed',
  'DeadlineOpened',
  'DeadlineMet',
  'DeadlineMoved',
  'DeadlineMissed',
  'DeadlineLapsed',
  'DeadlineCancelled',
  'EscalationAcknowledged',
] as const;
const CODE_OF = new Map<string, string>(TIMELINE_TYPES.map((t, i) => [t, i.toString(36)]));

/** `at` is a packed time (see `packTime`). */
export function encodeTimeline(type: string, at: string, actorId: string): string {
  let actor = actorCache.get(actorId);
  if (actor === undefined) {
    if (actorCache.size > 10_000) actorCache.clear();
    actorCache.set(actorId, (actor = compactId(actorId)));
  }
  return `${CODE_OF.get(type) ?? type}|${at}|${actor}`;
}
const actorCache = new Map<string, string>();

export function decodeTimeline(entry: string, previous?: TimelineEntry): TimelineEntry {
  const a = entry.indexOf('|');
  const b = entry.indexOf('|', a + 1);
  const code = entry.slice(0, a);
  const type = /^[0-9a-z]$/.test(code) ? (TIMELINE_TYPES[parseInt(code, 36)] ?? code) : code;
  const at = entry.slice(a + 1, b);
  const actor = entry.slice(b + 1);
  // An empty time or actor repeats the previous entry's (see appendTimeline).
  return { type, at: at || !previous ? unpackTime(at) : previous.at, actorId: actor || !previous ? expandId(actor) : previous.actorId };
}

/** A stored timeline, oldest first. */
export function decodeTimelineList(entries: readonly string[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of entries) out.push(decodeTimeline(e, out[out.length - 1]));
  return out;
}

/**
 * Appends an entry, leaving out the time and the actor when they repeat the previous entry's (most steps of a case
 * are taken by one officer, and the events of one command share a time: a quarter of a case's document), and keeps
 * the newest `cap` entries, the first of which always has its time and actor written out.
 */
export function appendTimeline(tl: string[], type: string, at: string, actorId: string, cap: number): void {
  const entry = encodeTimeline(type, at, actorId);
  if (!tl.length) tl.push(entry);
  else {
    const [code, , stored] = splitEntry(entry);
    // A genuinely empty actor is written `~` (expandId('~') is ''), so that empty can mean "as before".
    const actor = stored || '~';
    const prev = resolvedAt(tl, tl.length - 1);
    tl.push(`${code}|${prev.at === at ? '' : at}|${prev.actor === actor ? '' : actor}`);
  }
  if (tl.length > cap) {
    const first = tl.length - cap;
    const kept = resolvedAt(tl, first);
    tl[first] = `${splitEntry(tl[first])[0]}|${kept.at}|${kept.actor}`;
    tl.splice(0, first);
  }
}

function splitEntry(entry: string): [code: string, at: string, actor: string] {
  const a = entry.indexOf('|');
  const b = entry.indexOf('|', a + 1);
  return [entry.slice(0, a), entry.slice(a + 1, b), entry.slice(b + 1)];
}

/** The stored (packed) time and (compact) actor of entry `i`, looking back past elided fields. */
function resolvedAt(tl: readonly string[], i: number): { at: string; actor: string } {
  let at: string | undefined;
  let actor: string | undefined;
  for (let j = i; j >= 0 && (at === undefined || actor === undefined); j--) {
    const [, t, a] = splitEntry(tl[j]);
    if (at === undefined && (t || j === 0)) at = t;
    if (actor === undefined && (a || j === 0)) actor = a;
  }
  return { at: at ?? '', actor: actor ?? '' };
}

/** The pending deadline due first (packed due time). */
export function nextDue(doc: PetitionDoc): { due: string; dueMs: number; missed: boolean } | undefined {
  let best: StoredDeadline | undefined;
  for (const d of Object.values(doc.dl)) if (!best || packedMs(d[1]) < packedMs(best[1])) best = d;
  return best ? { due: best[1], dueMs: packedMs(best[1]), missed: best[3] > 0 } : undefined;
}

/** `m` is the compact id (index member). */
export function toSummary(m: string, doc: PetitionDoc): PetitionSummary {
  const next = nextDue(doc);
  const id = expandId(m);
  return {
    id,
    streamId: `petition-${id}`,
    subject: doc.s,
    status: doc.st,
    channel: doc.ch,
    category: doc.ca,
    orgUnit: doc.ou,
    ...(doc.as ? { assignee: doc.as } : {}),
    receivedAt: unpackTime(doc.rc),
    collective: !!doc.co,
    urgent: !!doc.ur,
    extended: !!doc.ex,
    ...(next ? { nextDueAt: unpackTime(next.due) } : {}),
    missed: !!next?.missed,
    ...anyProvisional(doc),
  };
}

const DECISIONS = { a: 'accepted', n: 'not_accepted', r: 'routed_out' } as const;

export function toDetail(m: string, doc: PetitionDoc, now?: number): PetitionDetail {
  const opt = <K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } => (v === undefined ? {} : ({ [k]: v } as { [P in K]?: V }));
  return {
    ...toSummary(m, doc),
    registeredOrgUnit: doc.ro,
    headcount: doc.hc,
    identityKnown: doc.ik !== 0,
    receiptNotified: !!doc.rn,
    ...opt('decision', doc.dc ? DECISIONS[doc.dc] : undefined),
    ...opt('decidedOnTime', doc.dot),
    ...opt('routedTo', doc.rt),
    ...opt('mediationId', doc.mi),
    ...opt('answerOutcome', doc.ao),
    ...opt('answeredOnTime', doc.aot),
    ...opt('reviewOutcome', doc.rv),
    ...opt('recheckOutcome', doc.rk),
    ...opt('assignedDownDue', doc.ad),
    ...opt('transferredFrom', doc.tf),
    ...opt('closeReason', doc.cr),
    ...opt('closedAt', doc.cl),
    deadlines: Object.entries(doc.dl)
      .map(([deadlineId, d]) => ({
        deadlineId,
        kind: d[0],
        dueAt: unpackTime(d[1]),
        ownerOrgUnit: d[2],
        missedLevel: d[3],
        overdue: d[3] > 0 || (now !== undefined && packedMs(d[1]) < now),
        ...provisionalFlag(doc, deadlineId),
      }))
      .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt)),
    timeline: decodeTimelineList(doc.tl),
    updatedAt: unpackTime(doc.up),
    revision: doc.rev,
  };
}
