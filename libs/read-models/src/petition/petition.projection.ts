import type { RecordedEvent } from '@hearth/event-store/event-store.port';
import { LineageCache } from '../org-lineage';
import type { OrgDirectory } from '@hearth/domain/org/org-directory';
import type * as P from '@hearth/domain/petition/petition.events';
import type * as D from '@hearth/domain/deadlines/deadline.events';
import type { Projection, ProjectionBatch } from '../projection';
import { compactId, CounterField, appendTimeline, nextDue, packedMs, packTime, PETITION_NAMESPACE, PetitionDoc, petitionKeys, StoredDeadline } from './petition.model';
import { markProvisional } from '../provisional-deadlines';

export interface PetitionProjectionOptions {
  org: OrgDirectory;
  /** Timeline entries kept per case (default 30; each costs ~35 bytes). */
  timelineCap?: number;
}

type Keys = ReturnType<typeof petitionKeys>;

/** The fields of a document its index memberships depend on (see `memberships`). */
interface IndexFields {
  ou: string;
  st: string;
  as?: string;
  ch: string;
  ca: string;
  rc: string;
  /** Next pending deadline (ms), if any. */
  due?: number;
}

function indexFields(doc: PetitionDoc | undefined): IndexFields | undefined {
  if (!doc) return undefined;
  return { ou: doc.ou, st: doc.st, as: doc.as, ch: doc.ch, ca: doc.ca, rc: doc.rc, due: nextDue(doc)?.dueMs };
}

const sameIndexFields = (a: IndexFields, b: IndexFields): boolean =>
  a.ou === b.ou && a.st === b.st && a.as === b.as && a.ch === b.ch && a.ca === b.ca && a.rc === b.rc && a.due === b.due;

const stored = (kind: string, due: string, owner: string, missedLevel: number, overdueUnit?: string | null): StoredDeadline =>
  overdueUnit ? [kind, due, owner, missedLevel, overdueUnit] : [kind, due, owner, missedLevel];

/** The petition a mediation case was opened from (its MediationApplied event), if any. */
function linkedPetition(e: RecordedEvent): string | undefined {
  if (e.type !== 'MediationApplied' || !e.streamId.startsWith('mediation-')) return undefined;
  return (e.data as { fromPetition?: { petitionId?: string } }).fromPetition?.petitionId || undefined;
}

/** Subtree counter deltas of one batch: unit → field → delta. */
class CounterDeltas {
  readonly byUnit = new Map<string, Map<string, number>>();
  add(units: readonly string[], field: CounterField | `ch:${string}` | `cat:${string}`, n = 1): void {
    if (!n) return;
    for (const u of units) {
      let m = this.byUnit.get(u);
      if (!m) this.byUnit.set(u, (m = new Map()));
      m.set(field, (m.get(field) ?? 0) + n);
    }
  }
}

/** Writes of one batch grouped by key, so a batch is a few dozen commands whatever its size. */
class GroupedWrites {
  readonly zadd = new Map<string, Array<number | string>>();
  readonly zrem = new Map<string, string[]>();
  add(key: string, score: number, member: string): void {
    const a = this.zadd.get(key);
    if (a) a.push(score, member);
    else this.zadd.set(key, [score, member]);
  }
  rem(key: string, member: string): void {
    const a = this.zrem.get(key);
    if (a) a.push(member);
    else this.zrem.set(key, [member]);
  }
}

/**
 * Petition cases → one compact JSON document per case (with a capped timeline), sorted-set indexes and
 * subtree counters (layout in petition.model.ts). A batch loads every document it touches with one MGET,
 * folds the events in memory and queues only the differences: one MSET, one ZADD/ZREM per index key,
 * one HINCRBY per counter.
 */
export class PetitionProjection implements Projection {
  readonly name = 'petitions';
  readonly namespaces = [PETITION_NAMESPACE];
  private readonly cap: number;
  private readonly lineages: LineageCache;

  constructor(private readonly options: PetitionProjectionOptions) {
    this.lineages = new LineageCache(options.org);
    this.cap = Math.max(1, options.timelineCap ?? 30);
  }


  /** Index keys (and scores) a document belongs to. */
  private memberships(keys: Keys, f: IndexFields | undefined): Map<string, number> {
    const m = new Map<string, number>();
    if (!f) return m;
    const rc = packedMs(f.rc);
    for (const u of this.lineages.of(f.ou)) m.set(keys.byUnit(u), rc);
    m.set(keys.byStatus(f.st), rc);
    if (f.st !== 'Closed') m.set(keys.open(), rc);
    if (f.as) m.set(keys.byAssignee(f.as), rc);
    m.set(keys.byChannel(f.ch), rc);
    m.set(keys.byCategory(f.ca), rc);
    if (f.due !== undefined) m.set(keys.due(), f.due);
    return m;
  }

  async apply(batch: ProjectionBatch): Promise<void> {
    // A mediation case opened from a petition (routed out to mediation) links back to it.
    const events = batch.events.filter((e) => e.streamId.startsWith('petition-') || linkedPetition(e) !== undefined);
    if (!events.length) return;
    const keys = petitionKeys(batch.prefix);
    const memberOf = new Map<string, string>();
    const member = (e: RecordedEvent): string => {
      const key = linkedPetition(e) ?? e.streamId.slice('petition-'.length);
      let m = memberOf.get(key);
      if (m === undefined) memberOf.set(key, (m = compactId(key)));
      return m;
    };
    const memberOfEvent = events.map(member);
    const members = [...new Set(memberOf.values())];
    const raw = await batch.redis.mget(members.map((m) => keys.doc(m)));
    const docs = new Map<string, PetitionDoc | undefined>();
    const before = new Map<string, IndexFields | undefined>();
    members.forEach((m, i) => {
      const doc = raw[i] ? (JSON.parse(raw[i]!) as PetitionDoc) : undefined;
      docs.set(m, doc);
      before.set(m, indexFields(doc));
    });

    const ctr = new CounterDeltas();
    const changed = new Set<string>();
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const m = memberOfEvent[i];
      const at = packTime(e.metadata?.occurredAt ?? e.recordedAt);
      const next = this.evolve(docs.get(m), e, at, ctr);
      if (!next) continue;
      appendTimeline(next.tl, e.type, at, e.metadata?.actorId ?? '', this.cap);
      docs.set(m, next);
      changed.add(m);
    }
    if (!changed.size && !ctr.byUnit.size) return;

    const tx = batch.tx;
    const mset: string[] = [];
    const w = new GroupedWrites();
    for (const m of changed) {
      const doc = docs.get(m)!;
      mset.push(keys.doc(m), JSON.stringify(doc));
      // Most events (progress, notices, timeline) leave every index as it was: compare the few fields they use first.
      const was = before.get(m);
      const is = indexFields(doc);
      if (was && sameIndexFields(was, is!)) continue;
      const old = this.memberships(keys, was);
      const now = this.memberships(keys, is);
      for (const k of old.keys()) if (!now.has(k)) w.rem(k, m);
      for (const [k, score] of now) if (old.get(k) !== score) w.add(k, score, m);
    }
    if (mset.length) tx.mset(...mset);
    for (const [k, ms] of w.zrem) tx.zrem(k, ...ms);
    for (const [k, args] of w.zadd) tx.zadd(k, ...args);
    for (const [unit, fields] of ctr.byUnit) {
      for (const [field, n] of fields) if (n) tx.hincrby(keys.counters(unit), field, n);
    }
  }

  /** Folds one event into the document; returns undefined when the event does not concern a known case. */
  private evolve(doc: PetitionDoc | undefined, e: RecordedEvent, at: string, ctr: CounterDeltas): PetitionDoc | undefined {
    if (e.type === 'PetitionRegistered') {
      if (doc) return undefined; // registered once; a repeat would double the counters
      const d = (e.data as P.PetitionRegistered['data']);
      const units = this.lineages.of(d.orgUnit);
      ctr.add(units, 'received');
      ctr.add(units, `ch:${d.channel}`);
      ctr.add(units, `cat:${d.category}`);
      if (d.collective) ctr.add(units, 'collective');
      if (d.urgent) ctr.add(units, 'urgent');
      return {
        s: d.subject,
        st: 'Registered',
        ch: d.channel,
        ca: d.category,
        ou: d.orgUnit,
        ro: d.orgUnit,
        rc: packTime(d.receivedAt),
        hc: d.headcount,
        ...(d.collective ? { co: 1 as const } : {}),
        ...(d.urgent ? { ur: 1 as const } : {}),
        ...(d.identityKnown === false ? { ik: 0 as const } : {}),
        dl: {},
        up: at,
        rev: e.revision,
        tl: [],
      };
    }
    if (!doc) return undefined;
    if (e.type === 'MediationApplied') {
      // An event of the mediation stream: the link only (revision and time are the petition's own).
      doc.mi = (e.data as { mediationId: string }).mediationId;
      return doc;
    }
    // Documents are parsed fresh for each batch and owned by it: fold in place.
    const s = doc;
    if (at) s.up = at;
    s.rev = e.revision;
    const here = (): string[] => this.lineages.of(s.ou);
    switch (e.type) {
      case 'PetitionReceiptNotified':
        s.rn = 1;
        break;
      case 'PetitionAccepted':
      case 'PetitionNotAccepted':
      case 'PetitionRoutedOut': {
        const d = e.data as { onTime: boolean };
        s.st = e.type === 'PetitionAccepted' ? 'Accepted' : e.type === 'PetitionNotAccepted' ? 'NotAccepted' : 'RoutedOut';
        s.dc = e.type === 'PetitionAccepted' ? 'a' : e.type === 'PetitionNotAccepted' ? 'n' : 'r';
        s.dot = !!d.onTime;
        ctr.add(here(), 'accepted');
        if (d.onTime) ctr.add(here(), 'acceptedOnTime');
        if (s.dc === 'n') ctr.add(here(), 'notAccepted');
        if (s.dc === 'r') {
          const procedure = (e.data as P.PetitionRoutedOut['data']).procedure;
          s.rt = procedure;
          ctr.add(here(), 'routedOut');
          if (procedure === 'mediation') ctr.add(here(), 'routedToMediation');
        }
        break;
      }
      case 'PetitionTransferred': {
        const d = e.data as P.PetitionTransferred['data'];
        ctr.add(this.lineages.of(d.fromOrgUnit), 'transferred');
        s.tf = d.fromOrgUnit;
        s.ou = d.toOrgUnit;
        break;
      }
      case 'PetitionTransferObjected':
        s.ou = (e.data as P.PetitionTransferObjected['data']).returnedTo;
        break;
      case 'PetitionAssignedDown': {
        const d = e.data as P.PetitionAssignedDown['data'];
        ctr.add(this.lineages.of(d.fromOrgUnit), 'assignedDown');
        s.ou = d.toOrgUnit;
        s.ad = d.dueDate;
        break;
      }
      case 'HandlerAssigned':
        s.st = 'InHandling';
        s.as = (e.data as P.HandlerAssigned['data']).officerId;
        break;
      case 'HandlingExtended':
        s.ex = 1;
        break;
      case 'PetitionAnswered': {
        const d = e.data as P.PetitionAnswered['data'];
        s.st = 'Answered';
        s.ao = d.outcome;
        s.aot = !!d.onTime;
        ctr.add(here(), 'answered');
        if (d.onTime) ctr.add(here(), 'answeredOnTime');
        break;
      }
      case 'ReviewRequested':
        s.st = 'ReviewRequested';
        ctr.add(here(), 'reviews');
        break;
      case 'ReviewDecided': {
        const d = e.data as P.ReviewDecided['data'];
        s.st = 'Reviewed';
        s.rv = d.outcome;
        if (d.outcome === 'reversed') ctr.add(here(), 'reversals');
        break;
      }
      case 'RecheckRequested':
        s.st = 'RecheckRequested';
        ctr.add(here(), 'rechecks');
        break;
      case 'RecheckDecided': {
        const d = e.data as P.RecheckDecided['data'];
        s.st = 'Rechecked';
        s.rk = d.outcome;
        if (d.outcome === 'reversed') ctr.add(here(), 'reversals');
        break;
      }
      case 'PetitionClosed': {
        const d = e.data as P.PetitionClosed['data'];
        if (s.st !== 'Closed') ctr.add(here(), 'closed');
        s.st = 'Closed';
        s.cr = d.reason;
        s.cl = d.closedAt;
        break;
      }
      case 'DeadlineOpened': {
        const d = e.data as D.DeadlineOpened['data'];
        s.dl[d.deadlineId] = stored(d.kind, packTime(d.dueAt), d.ownerOrgUnit, 0);
        markProvisional(s, d.deadlineId, d.provisional);
        break;
      }
      case 'DeadlineMoved':
      case 'DeadlineRecomputed': {
        const d = e.data as D.DeadlineMoved['data'] | D.DeadlineRecomputed['data'];
        const cur = s.dl[d.deadlineId];
        if (!cur) break;
        // A calendar change recounts the deadline (and may clear its provisional mark); it moves like any other move.
        if (e.type === 'DeadlineRecomputed') markProvisional(s, d.deadlineId, (d as D.DeadlineRecomputed['data']).provisional);
        // A missed deadline moved to a later time is open again (as in the domain's evolveDeadlines).
        const due = packTime(d.dueAt);
        const reopened = cur[3] > 0 && packedMs(due) > packedMs(cur[1]);
        if (reopened) ctr.add(this.lineages.of(cur[4] ?? s.ou), 'overdueNow', -1);
        s.dl[d.deadlineId] = reopened ? stored(cur[0], due, cur[2], 0) : stored(cur[0], due, cur[2], cur[3], cur[4]);
        break;
      }
      case 'DeadlineMissed': {
        const d = e.data as D.DeadlineMissed['data'];
        const cur = s.dl[d.deadlineId];
        if (!cur) break;
        if (cur[3] === 0) {
          ctr.add(here(), 'overdueNow');
          s.dl[d.deadlineId] = stored(cur[0], cur[1], cur[2], d.level, s.ou);
        } else s.dl[d.deadlineId] = stored(cur[0], cur[1], cur[2], Math.max(cur[3], d.level), cur[4]);
        break;
      }
      case 'DeadlineMet':
      case 'DeadlineCancelled':
      case 'DeadlineLapsed': {
        const id = (e.data as { deadlineId: string }).deadlineId;
        const cur = s.dl[id];
        if (!cur) break;
        markProvisional(s, id, false);
        if (cur[3] > 0) ctr.add(this.lineages.of(cur[4] ?? s.ou), 'overdueNow', -1);
        delete s.dl[id];
        break;
      }
      default:
        break;
    }
    return s;
  }
}
