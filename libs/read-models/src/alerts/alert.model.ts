/**
 * Redis layout of the alerts read model (under the prefix, default `hearth:`):
 *   alert:<alertId>                    string  JSON `Alert`; alertId = `<streamId>.<deadlineId>.L<level>`
 *   alert:dl:<streamId>.<deadlineId>   string  JSON array of the deadline's unresolved alert ids
 *   inbox:<orgUnit>:<role>             zset    every alert for that unit and role, score missedAt ms
 *   inbox:<orgUnit>:<role>:<status>    zset    the same, by status (open | acknowledged | resolved)
 * New and changed alerts are published as JSON on channel `<prefix>alerts`.
 */
export const ALERT_NAMESPACES = ['alert:', 'inbox:'];

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface Alert {
  id: string;
  kind: 'missed';
  /** Case stream (`petition-<id>`), its workflow (stream category) and case id. */
  streamId: string;
  workflow: string;
  caseId: string;
  deadlineId: string;
  deadlineKind: string;
  level: number;
  dueAt: string;
  missedAt: string;
  ownerOrgUnit: string;
  targetOrgUnit: string;
  targetRole: 'supervisor';
  status: AlertStatus;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  note?: string;
  resolvedAt?: string;
  /** Why it was resolved: the duty was met, or the deadline was cancelled. */
  resolution?: 'met' | 'cancelled';
  /** Domain time of the last change. */
  updatedAt: string;
}

export const alertKeys = (prefix: string) => ({
  alert: (alertId: string) => `${prefix}alert:${alertId}`,
  byDeadline: (streamId: string, deadlineId: string) => `${prefix}alert:dl:${streamId}.${deadlineId}`,
  inbox: (orgUnit: string, role: string) => `${prefix}inbox:${orgUnit}:${role}`,
  inboxByStatus: (orgUnit: string, role: string, status: AlertStatus) => `${prefix}inbox:${orgUnit}:${role}:${status}`,
});

export const alertIdOf = (streamId: string, deadlineId: string, level: number): string => `${streamId}.${deadlineId}.L${level}`;
