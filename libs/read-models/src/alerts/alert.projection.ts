import type { RecordedEvent } from '@hearth/event-store/event-store.port';
import type * as D from '@hearth/domain/deadlines/deadline.events';
import type { OrgDirectory } from '@hearth/domain/org/org-directory';
import type { Projection, ProjectionBatch } from '../projection';
import { alertsChannel, splitStreamId, toMs } from '../keys';
import { Alert, ALERT_NAMESPACES, alertIdOf, alertKeys, AlertKind, AlertRole, AlertStatus, reminderIdOf } from './alert.model';

/** A user of the org data, as far as addressing alerts goes. */
export interface AlertUser {
  id: string;
  role: string;
  orgUnit: string;
}

export interface AlertProjectionOptions {
  /** The org tree: subtree inboxes (`inbox:sub:`) and the unit above for collective mediation cases. */
  org?: OrgDirectory;
  /** The users of the org data: a unit + role is resolved to them (per-user inboxes, SSE, recipients). */
  users?: readonly AlertUser[];
  /**
   * Called with the alerts newly raised by live events of a batch, before the batch commits (webhook delivery). If it
   * throws, the batch is retried, so delivery is at-least-once: the callee must dedupe (deterministic job ids).
   */
  deliver?: (alerts: readonly Alert[]) => Promise<void>;
}

/** Deadline kinds whose opening is itself news for the owning unit's head: 交办 and 督办. */
const DUTY_ALERTS: Readonly<Record<string, AlertKind>> = { assignedDown: 'assigned', supervisionReply: 'supervised' };

const RESOLVING: Readonly<Record<string, Alert['resolution']>> = { DeadlineMet: 'met', DeadlineCancelled: 'cancelled', DeadlineLapsed: 'lapsed' };
const CASE_CLOSED = new Set(['PetitionClosed', 'MediationClosed']);

const RELEVANT = new Set([
  'DeadlineApproaching',
  'DeadlineDueSoon',
  'DeadlineMissed',
  'DeadlineEscalated',
  'DeadlineOpened',
  'DeadlineMoved',
  'DeadlineRecomputed',
  'CalendarYearMissing',
  'CalendarYearPublished',
  'EscalationAcknowledged',
  'DeadlineMet',
  'DeadlineCancelled',
  'DeadlineLapsed',
  'PetitionReportedUpward',
  'MediationApplied',
  'RepeatPetitionReceived',
  ...CASE_CLOSED,
]);

/** What an event raises: the alert (without status bookkeeping) and the list it belongs to. */
interface Raise {
  alert: Omit<Alert, 'status' | 'updatedAt' | 'recipients' | 'streamId' | 'workflow' | 'caseId'> & { assignee?: string };
  list: 'deadline' | 'case';
}

/**
 * Alerts of every workflow (domain-spec §0): one per ladder step (approaching → the assigned officer or the owning
 * unit's officers; dueSoon → its head; missed/escalated → the supervisors of the unit escalated to), one per 交办/督办
 * (the head of the unit given the duty), one per collective/urgent/major report (the supervisors above) and one per
 * linked repeat petition (the case unit's officers). Each is addressed to a unit + role and resolved to the users of
 * the org data, so every user has an inbox. Acknowledgement and the duty being met (deadline cancelled or lapsed, case
 * closed) change its status. Loads what a batch needs in at most two MGETs; publishes new/changed alerts after commit,
 * for live events only.
 */
export class AlertProjection implements Projection {
  readonly name = 'alerts';
  readonly namespaces = ALERT_NAMESPACES;
  private readonly byUnitRole = new Map<string, string[]>();
  private readonly unitOfUser = new Map<string, string>();

  constructor(private readonly options: AlertProjectionOptions = {}) {
    for (const u of options.users ?? []) {
      const k = `${u.orgUnit}|${u.role}`;
      this.byUnitRole.set(k, [...(this.byUnitRole.get(k) ?? []), u.id]);
      this.unitOfUser.set(u.id, u.orgUnit);
    }
  }

  /**
   * The users an alert for `unit` + `role` reaches: the assignee alone when they are a user of that unit (a handler
   * from before a transfer or 交办 is not), else every user with that role there; a unit without that role falls back
   * to its head.
   */
  recipientsOf(unit: string, role: AlertRole, assignee?: string): string[] {
    if (!this.options.users) return assignee ? [assignee] : [];
    if (assignee && this.unitOfUser.get(assignee) === unit) return [assignee];
    const direct = this.byUnitRole.get(`${unit}|${role}`) ?? [];
    return direct.length || role === 'head' ? direct : (this.byUnitRole.get(`${unit}|head`) ?? []);
  }

  private raises(e: RecordedEvent): Raise | undefined {
    switch (e.type) {
      case 'DeadlineApproaching':
      case 'DeadlineDueSoon': {
        const d = e.data as D.DeadlineApproaching['data'];
        const kind: AlertKind = e.type === 'DeadlineApproaching' ? 'approaching' : 'dueSoon';
        return {
          list: 'deadline',
          alert: {
            id: reminderIdOf(e.streamId, d.deadlineId, kind, d.dueAt),
            kind,
            deadlineId: d.deadlineId,
            deadlineKind: d.kind,
            level: 0,
            dueAt: d.dueAt,
            raisedAt: d.raisedAt,
            ownerOrgUnit: d.ownerOrgUnit,
            targetOrgUnit: d.ownerOrgUnit,
            targetRole: kind === 'approaching' ? 'officer' : 'head',
            ...(kind === 'approaching' && d.assignee ? { assignee: d.assignee } : {}),
          },
        };
      }
      case 'DeadlineMissed':
      case 'DeadlineEscalated': {
        const d = e.data as D.DeadlineMissed['data'] & Partial<D.DeadlineEscalated['data']>;
        if (!d.escalateTo) return undefined;
        const at = e.type === 'DeadlineMissed' ? d.missedAt : d.escalatedAt!;
        return {
          list: 'deadline',
          alert: {
            id: alertIdOf(e.streamId, d.deadlineId, d.level),
            kind: e.type === 'DeadlineMissed' ? 'missed' : 'escalated',
            deadlineId: d.deadlineId,
            deadlineKind: d.kind,
            level: d.level,
            dueAt: d.dueAt,
            missedAt: at,
            raisedAt: at,
            ownerOrgUnit: d.ownerOrgUnit,
            targetOrgUnit: d.escalateTo,
            targetRole: 'supervisor',
          },
        };
      }
      case 'DeadlineOpened': {
        const d = e.data as D.DeadlineOpenedData;
        const kind = DUTY_ALERTS[d.kind];
        if (!kind) return undefined;
        return {
          list: 'deadline',
          alert: {
            id: reminderIdOf(e.streamId, d.deadlineId, kind, d.dueAt),
            kind,
            deadlineId: d.deadlineId,
            deadlineKind: d.kind,
            level: 0,
            dueAt: d.dueAt,
            raisedAt: e.metadata?.occurredAt ?? e.recordedAt,
            ownerOrgUnit: d.ownerOrgUnit,
            targetOrgUnit: d.ownerOrgUnit,
            targetRole: 'head',
          },
        };
      }
      case 'PetitionReportedUpward': {
        const d = e.data as { reasons: string[]; orgUnit: string; reportedTo: string; reportedAt: string };
        return {
          list: 'case',
          alert: {
            id: `${e.streamId}.reported`,
            kind: 'reported',
            level: 0,
            raisedAt: d.reportedAt,
            ownerOrgUnit: d.orgUnit,
            targetOrgUnit: d.reportedTo,
            targetRole: 'supervisor',
            reasons: d.reasons,
          },
        };
      }
      case 'MediationApplied': {
        // A collective labour dispute (≥10 workers, common claim; LDMAL art. 7) is reported to the union above at once.
        const d = e.data as { orgUnit: string; collective?: boolean; receivedAt?: string };
        const above = d.collective ? this.options.org?.parentOf(d.orgUnit) : undefined;
        if (!above) return undefined;
        return {
          list: 'case',
          alert: {
            id: `${e.streamId}.reported`,
            kind: 'reported',
            level: 0,
            raisedAt: d.receivedAt ?? e.metadata?.occurredAt ?? e.recordedAt,
            ownerOrgUnit: d.orgUnit,
            targetOrgUnit: above,
            targetRole: 'supervisor',
            reasons: ['collective'],
          },
        };
      }
      case 'CalendarYearMissing': {
        // Deadlines run into a year without the State Council's arrangement: the city federation's admins load it.
        const d = e.data as { year: number; noticedAt: string };
        const city = this.options.org?.all().find((u) => u.level === 1)?.id;
        if (!city) return undefined;
        return {
          list: 'case',
          alert: {
            id: `${e.streamId}.missing-${d.year}`,
            kind: 'calendarMissing',
            level: 0,
            raisedAt: d.noticedAt,
            ownerOrgUnit: city,
            targetOrgUnit: city,
            targetRole: 'admin',
            calendarYear: d.year,
          },
        };
      }
      case 'RepeatPetitionReceived': {
        const d = e.data as { orgUnit: string; receivedAt: string };
        return {
          list: 'case',
          alert: {
            id: `${e.streamId}.repeat@${toMs(d.receivedAt)}`,
            kind: 'repeat',
            level: 0,
            raisedAt: d.receivedAt,
            ownerOrgUnit: d.orgUnit,
            targetOrgUnit: d.orgUnit,
            targetRole: 'officer',
          },
        };
      }
      default:
        return undefined;
    }
  }

  async apply(batch: ProjectionBatch): Promise<void> {
    const events = batch.events.filter((e) => RELEVANT.has(e.type));
    if (!events.length) return;
    const keys = alertKeys(batch.prefix);
    const raised = new Map<RecordedEvent, Raise>();
    const listKeyOf = (e: RecordedEvent): string | undefined => {
      if (CASE_CLOSED.has(e.type)) return keys.byCase(e.streamId);
      const r = raised.get(e);
      if (r) return r.list === 'case' ? keys.byCase(e.streamId) : keys.byDeadline(e.streamId, r.alert.deadlineId!);
      if (RESOLVING[e.type] || e.type === 'DeadlineMoved' || e.type === 'DeadlineRecomputed') return keys.byDeadline(e.streamId, (e.data as { deadlineId: string }).deadlineId);
      if (e.type === 'CalendarYearPublished') return keys.byCase(e.streamId);
      return undefined;
    };

    // Phase 1: the alerts events name, and the lists of the deadlines and cases they touch.
    const alertIds = new Set<string>();
    const listKeys = new Set<string>();
    for (const e of events) {
      const r = this.raises(e);
      if (r) {
        raised.set(e, r);
        alertIds.add(r.alert.id);
      }
      if (e.type === 'EscalationAcknowledged') {
        const d = e.data as D.EscalationAcknowledged['data'];
        alertIds.add(alertIdOf(e.streamId, d.deadlineId, d.level));
      }
      const lk = listKeyOf(e);
      if (lk) listKeys.add(lk);
    }
    const lists = new Map<string, string[]>();
    const alerts = new Map<string, Alert | undefined>();
    const listList = [...listKeys];
    const idList = [...alertIds];
    const toLoad = [...listList, ...idList.map((id) => keys.alert(id))];
    if (!toLoad.length) return;
    const first = await batch.redis.mget(...toLoad);
    listList.forEach((k, i) => lists.set(k, first[i] ? (JSON.parse(first[i]!) as string[]) : []));
    idList.forEach((id, i) => alerts.set(id, parse(first[listList.length + i])));
    // Phase 2: alerts referenced by those lists, not loaded yet.
    const more = [...new Set([...lists.values()].flat())].filter((id) => !alerts.has(id));
    if (more.length) {
      const second = await batch.redis.mget(...more.map((id) => keys.alert(id)));
      more.forEach((id, i) => alerts.set(id, parse(second[i])));
    }
    const original = new Map<string, Alert | undefined>([...alerts].map(([id, a]) => [id, a && { ...a }]));

    const changedLists = new Set<string>();
    const changed = new Set<string>();
    const publish: Alert[] = [];
    const fresh: Alert[] = [];
    const touch = (a: Alert, e: RecordedEvent): void => {
      alerts.set(a.id, a);
      changed.add(a.id);
      if (batch.isLive(e)) publish.push({ ...a });
    };
    const resolveIn = (listKey: string, resolution: Alert['resolution'], at: string, e: RecordedEvent, only?: readonly AlertKind[]) => {
      const list = lists.get(listKey) ?? [];
      const keep: string[] = [];
      for (const id of list) {
        const a = alerts.get(id);
        if (only && a && !only.includes(a.kind)) {
          keep.push(id);
          continue;
        }
        if (a && a.status !== 'resolved') touch({ ...a, status: 'resolved', resolvedAt: at, resolution, updatedAt: at }, e);
      }
      if (keep.length !== list.length) {
        lists.set(listKey, keep);
        changedLists.add(listKey);
      }
    };

    for (const e of events) {
      const at = e.metadata?.occurredAt ?? e.recordedAt;
      const r = raised.get(e);
      if (r) {
        if (alerts.get(r.alert.id)) continue; // already raised
        const { assignee, ...rest } = r.alert;
        const { category, id: caseId } = splitStreamId(e.streamId);
        const a: Alert = {
          ...rest,
          streamId: e.streamId,
          workflow: category,
          caseId,
          recipients: this.recipientsOf(rest.targetOrgUnit, rest.targetRole, assignee),
          status: 'open',
          updatedAt: at,
        };
        touch(a, e);
        if (batch.isLive(e)) fresh.push(a);
        const lk = listKeyOf(e)!;
        const list = lists.get(lk) ?? [];
        if (!list.includes(a.id)) lists.set(lk, [...list, a.id]);
        changedLists.add(lk);
        continue;
      }
      switch (e.type) {
        case 'EscalationAcknowledged': {
          const d = e.data as D.EscalationAcknowledged['data'];
          const a = alerts.get(alertIdOf(e.streamId, d.deadlineId, d.level));
          if (!a) break;
          touch(
            {
              ...a,
              status: a.status === 'resolved' ? 'resolved' : 'acknowledged',
              acknowledgedBy: d.acknowledgedBy,
              acknowledgedAt: d.acknowledgedAt,
              note: d.note,
              updatedAt: at,
            },
            e,
          );
          break;
        }
        case 'DeadlineMet':
        case 'DeadlineCancelled':
        case 'DeadlineLapsed': {
          const resolvedAt = e.type === 'DeadlineMet' ? (e.data as D.DeadlineMet['data']).metAt : at;
          resolveIn(listKeyOf(e)!, RESOLVING[e.type], resolvedAt, e);
          break;
        }
        case 'DeadlineMoved':
        case 'DeadlineRecomputed':
          // The reminders of the old due time no longer apply; the new ladder raises its own.
          resolveIn(listKeyOf(e)!, 'moved', at, e, ['approaching', 'dueSoon']);
          break;
        case 'CalendarYearPublished': {
          // Loading the year answers its missing-year alert (only that year's).
          const year = (e.data as { year: number }).year;
          const lk = listKeyOf(e)!;
          const list = lists.get(lk) ?? [];
          for (const id of list) {
            const a = alerts.get(id);
            if (a && a.calendarYear === year && a.status !== 'resolved') touch({ ...a, status: 'resolved', resolvedAt: at, resolution: 'loaded', updatedAt: at }, e);
          }
          const keep = list.filter((id) => alerts.get(id)?.calendarYear !== year);
          if (keep.length !== list.length) {
            lists.set(lk, keep);
            changedLists.add(lk);
          }
          break;
        }
        default:
          if (CASE_CLOSED.has(e.type)) resolveIn(listKeyOf(e)!, 'closed', at, e);
      }
    }

    const tx = batch.tx;
    for (const id of changed) {
      const a = alerts.get(id)!;
      const before = original.get(id);
      tx.set(keys.alert(id), JSON.stringify(a));
      const score = toMs(a.raisedAt ?? a.missedAt);
      if (!before) for (const k of this.indexKeys(keys, a)) tx.zadd(k, score, id);
      if (before?.status !== a.status) {
        if (before) for (const k of this.indexKeys(keys, before, before.status)) tx.zrem(k, id);
        for (const k of this.indexKeys(keys, a, a.status)) tx.zadd(k, score, id);
      }
    }
    for (const lk of changedLists) {
      const list = lists.get(lk)!;
      if (list.length) tx.set(lk, JSON.stringify(list));
      else tx.del(lk);
    }
    const deliver = this.options.deliver;
    if (fresh.length && deliver) {
      // Only once the batch is known to commit: a batch aborted by its checks hands nothing over.
      if (batch.beforeCommit) batch.beforeCommit(() => deliver(fresh));
      else await deliver(fresh);
    }
    if (publish.length) {
      const channel = alertsChannel(batch.basePrefix ?? batch.prefix);
      const redis = batch.redis;
      batch.afterCommit(async () => {
        const p = redis.pipeline();
        for (const a of publish) p.publish(channel, JSON.stringify(a));
        await p.exec();
      });
    }
  }

  /** The inboxes an alert is listed in (all statuses), or their per-status sets. */
  private indexKeys(keys: ReturnType<typeof alertKeys>, a: Alert, status?: AlertStatus): string[] {
    const units = this.options.org?.has(a.targetOrgUnit) ? this.options.org.lineage(a.targetOrgUnit) : [a.targetOrgUnit];
    const recipients = a.recipients ?? [];
    if (status === undefined)
      return [keys.inbox(a.targetOrgUnit, a.targetRole), ...recipients.map((u) => keys.userInbox(u)), ...units.map((u) => keys.subtree(u))];
    return [
      keys.inboxByStatus(a.targetOrgUnit, a.targetRole, status),
      ...recipients.map((u) => keys.userInboxByStatus(u, status)),
      ...units.map((u) => keys.subtreeByStatus(u, status)),
    ];
  }
}

function parse(raw: string | null | undefined): Alert | undefined {
  return raw ? (JSON.parse(raw) as Alert) : undefined;
}
