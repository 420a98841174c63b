import type { RecordedEvent } from '@hearth/event-store/event-store.port';
import type * as D from '@hearth/domain/deadlines/deadline.events';
import type { Projection, ProjectionBatch } from '../projection';
import { alertsChannel, splitStreamId, toMs } from '../keys';
import { Alert, ALERT_NAMESPACES, alertIdOf, alertKeys } from './alert.model';

const RELEVANT = new Set(['DeadlineMissed', 'EscalationAcknowledged', 'DeadlineMet', 'DeadlineCancelled']);

/**
 * Escalation alerts of every workflow: a missed deadline alerts the supervisors of `escalateTo`; an
 * acknowledgement or the duty being met (or the deadline cancelled) changes its status. Loads what a batch
 * needs in at most two MGETs; publishes new/changed alerts after commit, for live events only.
 */
export class AlertProjection implements Projection {
  readonly name = 'alerts';
  readonly namespaces = ALERT_NAMESPACES;
  readonly role = 'supervisor' as const;

  async apply(batch: ProjectionBatch): Promise<void> {
    const events = batch.events.filter((e) => RELEVANT.has(e.type));
    if (!events.length) return;
    const keys = alertKeys(batch.prefix);

    // Phase 1: the alerts named by events, and the unresolved alerts of deadlines being met or cancelled.
    const alertIds = new Set<string>();
    const dlKeys = new Set<string>();
    for (const e of events) {
      const d = e.data as { deadlineId: string; level?: number };
      if (e.type === 'DeadlineMissed' || e.type === 'EscalationAcknowledged') alertIds.add(alertIdOf(e.streamId, d.deadlineId, d.level ?? 1));
      else dlKeys.add(keys.byDeadline(e.streamId, d.deadlineId));
    }
    const dls = new Map<string, string[]>();
    const alerts = new Map<string, Alert | undefined>();
    const dlList = [...dlKeys];
    const idList = [...alertIds];
    const first = await batch.redis.mget(...dlList, ...idList.map((id) => keys.alert(id)));
    dlList.forEach((k, i) => dls.set(k, first[i] ? (JSON.parse(first[i]!) as string[]) : []));
    idList.forEach((id, i) => alerts.set(id, parse(first[dlList.length + i])));
    // Phase 2: alerts referenced by those deadlines, not loaded yet.
    const more = [...new Set([...dls.values()].flat())].filter((id) => !alerts.has(id));
    if (more.length) {
      const second = await batch.redis.mget(...more.map((id) => keys.alert(id)));
      more.forEach((id, i) => alerts.set(id, parse(second[i])));
    }
    const original = new Map<string, Alert | undefined>([...alerts].map(([id, a]) => [id, a && { ...a }]));

    const changedDl = new Set<string>();
    const changed = new Set<string>();
    const publish: Alert[] = [];
    const touch = (a: Alert, e: RecordedEvent): void => {
      alerts.set(a.id, a);
      changed.add(a.id);
      if (batch.isLive(e)) publish.push({ ...a });
    };
    for (const e of events) {
      const at = e.metadata?.occurredAt ?? e.recordedAt;
      switch (e.type) {
        case 'DeadlineMissed': {
          const d = e.data as D.DeadlineMissed['data'];
          if (!d.escalateTo) break;
          const id = alertIdOf(e.streamId, d.deadlineId, d.level);
          if (alerts.get(id)) break; // already raised
          const { category, id: caseId } = splitStreamId(e.streamId);
          touch(
            {
              id,
              kind: 'missed',
              streamId: e.streamId,
              workflow: category,
              caseId,
              deadlineId: d.deadlineId,
              deadlineKind: d.kind,
              level: d.level,
              dueAt: d.dueAt,
              missedAt: d.missedAt,
              ownerOrgUnit: d.ownerOrgUnit,
              targetOrgUnit: d.escalateTo,
              targetRole: this.role,
              status: 'open',
              updatedAt: at,
            },
            e,
          );
          const dk = keys.byDeadline(e.streamId, d.deadlineId);
          const list = dls.get(dk) ?? [];
          if (!list.includes(id)) dls.set(dk, [...list, id]);
          changedDl.add(dk);
          break;
        }
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
        case 'DeadlineCancelled': {
          const d = e.data as D.DeadlineMet['data'];
          const dk = keys.byDeadline(e.streamId, d.deadlineId);
          const list = dls.get(dk) ?? [];
          if (!list.length) break;
          const resolvedAt = e.type === 'DeadlineMet' ? d.metAt : at;
          for (const id of list) {
            const a = alerts.get(id);
            if (a && a.status !== 'resolved')
              touch({ ...a, status: 'resolved', resolvedAt, resolution: e.type === 'DeadlineMet' ? 'met' : 'cancelled', updatedAt: at }, e);
          }
          dls.set(dk, []);
          changedDl.add(dk);
          break;
        }
      }
    }

    const tx = batch.tx;
    for (const id of changed) {
      const a = alerts.get(id)!;
      const before = original.get(id);
      tx.set(keys.alert(id), JSON.stringify(a));
      if (!before) tx.zadd(keys.inbox(a.targetOrgUnit, a.targetRole), toMs(a.missedAt), id);
      if (before?.status !== a.status) {
        if (before) tx.zrem(keys.inboxByStatus(before.targetOrgUnit, before.targetRole, before.status), id);
        tx.zadd(keys.inboxByStatus(a.targetOrgUnit, a.targetRole, a.status), toMs(a.missedAt), id);
      }
    }
    for (const dk of changedDl) {
      const list = dls.get(dk)!;
      if (list.length) tx.set(dk, JSON.stringify(list));
      else tx.del(dk);
    }
    if (publish.length) {
      const channel = alertsChannel(batch.prefix);
      const redis = batch.redis;
      batch.afterCommit(async () => {
        const p = redis.pipeline();
        for (const a of publish) p.publish(channel, JSON.stringify(a));
        await p.exec();
      });
    }
  }
}

function parse(raw: string | null | undefined): Alert | undefined {
  return raw ? (JSON.parse(raw) as Alert) : undefined;
}
