/**
 * Redis layout of the alerts read model (under the prefix, default `hearth:`):
 *   alert:<alertId>                    string  JSON `Alert`
 *   alert:dl:<streamId>.<deadlineId>   string  JSON array of the deadline's unresolved alert ids
 *   alert:case:<streamId>              string  JSON array of the case's unresolved case-level alert ids (reported, repeat)
 *   inbox:<orgUnit>:<role>             zset    every alert addressed to that unit and role, score raisedAt ms
 *   inbox:<orgUnit>:<role>:<status>    zset    the same, by status (open | acknowledged | resolved)
 *   inbox:user:<userId>                zset    every alert of which the user is a recipient, score raisedAt ms
 *   inbox:user:<userId>:<status>       zset    the same, by status
 *   inbox:sub:<orgUnit>                zset    every alert addressed to the unit or a unit below it (auditors, overviews)
 *   inbox:sub:<orgUnit>:<status>       zset    the same, by status
 * New and changed alerts are published as JSON on channel `<prefix>alerts`. No personal data of petitioners or
 * workers is ever part of an alert: only case ids, org units, user ids of staff and deadline facts.
 */
export const ALERT_NAMESPACES = ['alert:', 'inbox:'];

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * - `approaching` / `dueSoon` / `missed` / `escalated`: the deadline ladder (domain-spec §0);
 * - `assigned` (交办) / `supervised` (督办): an upper union set this unit a dated duty;
 * - `reported`: a collective, urgent or major case reported upward at once;
 * - `repeat`: a repeat petition was linked to the case;
 * - `calendarMissing`: deadlines are counted in a year whose holiday arrangement is not loaded (the city's admins).
 */
export const ALERT_KINDS = ['approaching', 'dueSoon', 'missed', 'escalated', 'assigned', 'supervised', 'reported', 'repeat', 'calendarMissing'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
/** Kinds a supervisor acknowledges (with a note, recorded on the case as EscalationAcknowledged). */
export const ESCALATION_KINDS: readonly AlertKind[] = ['missed', 'escalated'];

export type AlertRole = 'officer' | 'head' | 'supervisor' | 'admin';

export interface Alert {
  id: string;
  kind: AlertKind;
  /** Case stream (`petition-<id>`), its workflow (stream category) and case id. */
  streamId: string;
  workflow: string;
  caseId: string;
  deadlineId?: string;
  deadlineKind?: string;
  /** Escalation level (1 = 催办 to the unit above, n ≥ 2 = 督办 n units up); 0 for other kinds. */
  level: number;
  dueAt?: string;
  /** For missed/escalated: when the duty was missed (level 1) or escalated further. */
  missedAt?: string;
  /** When the alert was raised (domain time); inboxes are ordered by it. */
  raisedAt: string;
  ownerOrgUnit: string;
  /** Addressed to this unit and role… */
  targetOrgUnit: string;
  targetRole: AlertRole;
  /** …resolved to these users of the org data when raised (the assignee alone, when one is known). */
  recipients: string[];
  /** `reported`: why (collective, urgent, major). */
  reasons?: string[];
  status: AlertStatus;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  note?: string;
  resolvedAt?: string;
  /** Why it was resolved: the duty was met, the deadline was cancelled, lapsed or moved, or the case closed. */
  resolution?: 'met' | 'cancelled' | 'lapsed' | 'moved' | 'closed' | 'loaded';
  /** `calendarMissing`: the year without a loaded arrangement. */
  calendarYear?: number;
  /** Domain time of the last change. */
  updatedAt: string;
}

export const alertKeys = (prefix: string) => ({
  alert: (alertId: string) => `${prefix}alert:${alertId}`,
  byDeadline: (streamId: string, deadlineId: string) => `${prefix}alert:dl:${streamId}.${deadlineId}`,
  byCase: (streamId: string) => `${prefix}alert:case:${streamId}`,
  inbox: (orgUnit: string, role: string) => `${prefix}inbox:${orgUnit}:${role}`,
  inboxByStatus: (orgUnit: string, role: string, status: AlertStatus) => `${prefix}inbox:${orgUnit}:${role}:${status}`,
  userInbox: (userId: string) => `${prefix}inbox:user:${userId}`,
  userInboxByStatus: (userId: string, status: AlertStatus) => `${prefix}inbox:user:${userId}:${status}`,
  subtree: (orgUnit: string) => `${prefix}inbox:sub:${orgUnit}`,
  subtreeByStatus: (orgUnit: string, status: AlertStatus) => `${prefix}inbox:sub:${orgUnit}:${status}`,
});

/** Escalation alerts (missed, escalated): `<streamId>.<deadlineId>.L<level>`. */
export const alertIdOf = (streamId: string, deadlineId: string, level: number): string => `${streamId}.${deadlineId}.L${level}`;
/** Reminders (approaching, dueSoon) and dated duties (assigned, supervised): one per deadline and due time. */
export const reminderIdOf = (streamId: string, deadlineId: string, kind: AlertKind, dueAt: string): string =>
  `${streamId}.${deadlineId}.${kind}@${Date.parse(dueAt)}`;
