/**
 * The declared authorization table (domain-spec §0 roles; §1–3 "who" columns): for every operation of the API, which
 * roles may call it and from where relative to the org unit the resource belongs to. The matrix test
 * (authorization-matrix.e2e-spec.ts) checks every operation of the live OpenAPI document against it; an operation
 * missing here fails the test, so a new route must be declared before it ships.
 *
 * Relations of the caller's unit to the resource's unit: `same`; `parent` (one level up); `above` (two or more levels
 * up); `below` (inside the resource unit's subtree); `outside` (another branch). "Sees that unit's subtree" (§0) means
 * same + parent + above.
 */
/** `admin` (系统管理员, §0) has no user in the demo directory, so its routes refuse every caller here. */
export type Role = 'intake' | 'officer' | 'mediator' | 'head' | 'supervisor' | 'auditor' | 'admin';
export type Relation = 'same' | 'parent' | 'above' | 'below' | 'outside';
/** Which fixture the operation acts on; it decides the resource's org unit. */
export type Resource = 'petition' | 'mediation' | 'hardship' | 'fund' | 'subject' | 'root' | 'none';

export interface Rule {
  roles: readonly Role[];
  from: readonly Relation[];
  resource: Resource;
  /** Where a role's reach differs from `from` (e.g. only the city federation's heads erase). */
  fromByRole?: Partial<Record<Role, readonly Relation[]>>;
  /** Statuses that count as a refusal besides 403: a resource whose very existence outsiders must not learn. */
  deniedAs?: readonly number[];
  /** No token needed (health, sign-in). */
  public?: true;
  /** The route authenticates by what the body carries (sign-in, refresh): any answer but a 5xx is the route's own. */
  ownCredentials?: true;
  /** For the deployment's operators, not for users: every user token is refused, and so is every bad one (401 or 403). */
  operator?: true;
}

export const ALL: readonly Role[] = ['intake', 'officer', 'mediator', 'head', 'supervisor', 'auditor'];
export const SUBTREE: readonly Relation[] = ['same', 'parent', 'above'];
/** 督办, review: a union above the case's (art. 35: review by the union one level up). */
const UP: readonly Relation[] = ['parent', 'above'];
const ANYWHERE: readonly Relation[] = ['same', 'parent', 'above', 'below', 'outside'];

const HANDLERS: readonly Role[] = ['officer', 'head'];
const HEAD: readonly Role[] = ['head'];
const READERS = (resource: Resource): Rule => ({ roles: ALL, from: SUBTREE, resource });
const p = (roles: readonly Role[], from: readonly Relation[] = SUBTREE): Rule => ({ roles, from, resource: 'petition' });
const m = (roles: readonly Role[]): Rule => ({ roles, from: SUBTREE, resource: 'mediation' });
const h = (roles: readonly Role[]): Rule => ({ roles, from: SUBTREE, resource: 'hardship' });

const AUTH: Rule = { roles: ALL, from: ANYWHERE, resource: 'none', public: true, ownCredentials: true };
const DIRECTORY: Rule = { roles: ['admin'], from: SUBTREE, resource: 'none' };
const ERASURE: Rule = { roles: ['head', 'supervisor'], from: SUBTREE, fromByRole: { head: ['above'] }, resource: 'subject' };
/** Approving or declining an erasure (four eyes): any head or supervisor of the owning unit's chain (issue 11). */
const ERASURE_REVIEW: Rule = { roles: ['head', 'supervisor'], from: SUBTREE, resource: 'subject' };

export const AUTHORIZATION_TABLE: Record<string, Rule> = {
  'GET /health': { roles: ALL, from: ANYWHERE, resource: 'none', public: true },
  'GET /health/live': { roles: ALL, from: ANYWHERE, resource: 'none', public: true },
  'GET /health/ready': { roles: ALL, from: ANYWHERE, resource: 'none', public: true },
  // Sign-in with a password or a refresh cookie: no bearer token; wrong credentials are the route's own 401.
  'POST /auth/sign-in': AUTH,
  'POST /auth/refresh': AUTH,
  'POST /auth/sign-out': AUTH,

  // The org directory (§0): 系统管理员 manage units and users; no other role, and the demo directory has no admin.
  'GET /directory/units': DIRECTORY,
  'GET /directory/users': DIRECTORY,
  'POST /directory/units': DIRECTORY,
  'POST /directory/units/{unitId}/rename': DIRECTORY,
  'POST /directory/units/{unitId}/move': DIRECTORY,
  'POST /directory/units/{unitId}/close': DIRECTORY,
  'POST /directory/users': DIRECTORY,
  'POST /directory/users/{userId}/role': DIRECTORY,
  'POST /directory/users/{userId}/move': DIRECTORY,
  'POST /directory/users/{userId}/disable': DIRECTORY,
  'POST /directory/users/{userId}/enable': DIRECTORY,
  'POST /directory/users/{userId}/password': DIRECTORY,

  // Prometheus metrics: the deployment's own token (HEARTH_METRICS_TOKEN), never a user's; off when unset.
  'GET /metrics': { roles: [], from: ANYWHERE, resource: 'none', operator: true },

  // Petitions (§1): intake registers; officers handle, heads sign, extend, approve and close; 督办 from above.
  'POST /petitions': p(['intake', 'officer']),
  'GET /petitions': READERS('petition'),
  'GET /petitions/stats': READERS('petition'),
  'GET /petitions/{id}': READERS('petition'),
  'GET /petitions/{id}/history': READERS('petition'),
  'POST /petitions/{id}/supervision': p(['supervisor', 'head'], UP),
  // The written reply comes from the supervised unit itself.
  'POST /petitions/{id}/supervision-reply': p(HANDLERS, ['same']),
  'POST /petitions/{id}/receipt-notice': p(HANDLERS),
  'POST /petitions/{id}/acceptance': p(HANDLERS),
  'POST /petitions/{id}/non-acceptance': p(HANDLERS),
  'POST /petitions/{id}/route-out': p(HANDLERS),
  'POST /petitions/{id}/transfer': p(HANDLERS),
  // Only the head of the receiving unit (the case's own) objects to a transfer, whatever the case's state (scope first).
  'POST /petitions/{id}/transfer-objection': p(HEAD, ['same']),
  // §0: supervisors issue 交办 too.
  'POST /petitions/{id}/assign-down': p(['officer', 'supervisor', 'head']),
  'POST /petitions/{id}/completion-report': p(HANDLERS),
  'POST /petitions/{id}/handler': p(HANDLERS),
  'POST /petitions/{id}/progress': p(HANDLERS),
  'POST /petitions/{id}/extension': p(HEAD),
  'POST /petitions/{id}/answer-draft': p(HANDLERS),
  'POST /petitions/{id}/answer-approval': p(HEAD),
  'POST /petitions/{id}/review-request': p(['intake', 'officer', 'head']),
  'POST /petitions/{id}/review-decision': p(['officer', 'head', 'supervisor'], UP),
  'POST /petitions/{id}/recheck-request': p(['intake', 'officer', 'head']),
  // 复核 by the union above the reviewing one (art. 36): for a street case, the city federation.
  'POST /petitions/{id}/recheck-decision': p(['officer', 'head', 'supervisor'], ['above']),
  'POST /petitions/{id}/closure': p(HEAD),

  // Mediation (§2): mediators run sessions and record agreements; heads seal, extend, decide legal aid, close.
  'POST /mediations': m(['intake', 'officer', 'mediator']),
  'GET /mediations': READERS('mediation'),
  'GET /mediations/stats': READERS('mediation'),
  'GET /mediations/{id}': READERS('mediation'),
  'GET /mediations/{id}/history': READERS('mediation'),
  'POST /mediations/{id}/acceptance': m(HANDLERS),
  'POST /mediations/{id}/rejection': m(HANDLERS),
  'POST /mediations/{id}/mediator': m(HANDLERS),
  'POST /mediations/{id}/sessions': m(['mediator', 'officer']),
  'POST /mediations/{id}/sessions/{sessionId}/held': m(['mediator']),
  'POST /mediations/{id}/period-extension': m(HEAD),
  'POST /mediations/{id}/agreement': m(['mediator']),
  'POST /mediations/{id}/agreement/signatures': m(['mediator', 'officer']),
  'POST /mediations/{id}/agreement/seal': m(HEAD),
  'POST /mediations/{id}/failure': m(['mediator', 'head']),
  'POST /mediations/{id}/worker-informed': m(['intake', 'officer', 'mediator']),
  'POST /mediations/{id}/obligations/{obligationId}/performance': m(['mediator', 'officer']),
  'POST /mediations/{id}/obligations/{obligationId}/breach': m(['mediator', 'officer', 'head']),
  'POST /mediations/{id}/obligations/{obligationId}/payment-order': m(['mediator', 'officer', 'head']),
  'POST /mediations/{id}/arbitration-referral': m(['mediator', 'officer', 'head']),
  'POST /mediations/{id}/arbitration-filing': m(['intake', 'officer', 'mediator']),
  'POST /mediations/{id}/legal-aid': m(['intake', 'officer', 'mediator']),
  'POST /mediations/{id}/legal-aid/decision': m(HEAD),
  'POST /mediations/{id}/legal-aid/lawyer': m(HANDLERS),
  'POST /mediations/{id}/closure': m(HEAD),

  // Hardship (§3): files are lodged with a grassroots union; heads register, override, exit, approve and revoke aid.
  'POST /hardship-files': h(['intake', 'officer', 'head']),
  'POST /hardship-files/lookup': { roles: ['intake', 'officer', 'head', 'supervisor', 'auditor'], from: ANYWHERE, resource: 'none' },
  'GET /hardship-files': READERS('hardship'),
  'GET /hardship-files/stats': READERS('hardship'),
  'GET /hardship-files/{id}': READERS('hardship'),
  'GET /hardship-files/{id}/history': READERS('hardship'),
  'POST /hardship-files/{id}/pre-screen': h(HANDLERS),
  'POST /hardship-files/{id}/home-visit': h(HANDLERS),
  'POST /hardship-files/{id}/consent': h(HANDLERS),
  'POST /hardship-files/{id}/economic-check': h(HANDLERS),
  'POST /hardship-files/{id}/public-notice': h(HANDLERS),
  'POST /hardship-files/{id}/objections': h(['intake', 'officer', 'head']),
  'POST /hardship-files/{id}/objections/{objectionId}/resolution': h(HANDLERS),
  'POST /hardship-files/{id}/registration': h(HEAD),
  'POST /hardship-files/{id}/category-override': h(HEAD),
  'POST /hardship-files/{id}/annual-review': h(HANDLERS),
  'POST /hardship-files/{id}/annual-review/completion': h(HANDLERS),
  'POST /hardship-files/{id}/exit': h(HEAD),
  'POST /hardship-files/{id}/rejection': h(HANDLERS),
  'POST /hardship-files/{id}/reopening': h(HANDLERS),
  'POST /hardship-files/{id}/aid': h(HANDLERS),
  'POST /hardship-files/{id}/aid/{aidId}/approval': h(HEAD),
  'POST /hardship-files/{id}/aid/{aidId}/disbursement': h(HANDLERS),
  'POST /hardship-files/{id}/aid/{aidId}/acknowledgement': h(HANDLERS),
  'POST /hardship-files/{id}/aid/{aidId}/revocation': h(HEAD),
  'POST /funds': { roles: HEAD, from: SUBTREE, resource: 'fund' },
  'POST /funds/{fundId}/budget-adjustment': { roles: HEAD, from: SUBTREE, resource: 'fund' },
  'GET /funds': READERS('fund'),
  // Files below the owning unit draw on its funds, so units below see them too; outsiders learn nothing (404).
  'GET /funds/{fundId}': { roles: ALL, from: [...SUBTREE, 'below'], resource: 'fund', deniedAs: [404] },
  'GET /funds/{fundId}/history': { roles: ALL, from: [...SUBTREE, 'below'], resource: 'fund', deniedAs: [404] },

  // Alerts: everyone has an inbox; the alert addressed here does not exist, so only the role is at stake.
  'GET /alerts': { roles: ALL, from: ANYWHERE, resource: 'none' },
  'GET /alerts/stream': { roles: ALL, from: ANYWHERE, resource: 'none' },
  'GET /alerts/{alertId}': { roles: ALL, from: ANYWHERE, resource: 'none' },
  'GET /alerts/{alertId}/deliveries': { roles: ['supervisor', 'head', 'auditor'], from: ANYWHERE, resource: 'none' },
  'POST /alerts/{alertId}/acknowledgement': { roles: ['supervisor', 'head'], from: ANYWHERE, resource: 'none' },

  // Read models are the city federation's to rebuild.
  'POST /admin/read-models/rebuild': { roles: ['head', 'supervisor'], from: ['same'], resource: 'root' },
  'GET /admin/read-models': { roles: ['head', 'supervisor'], from: ['same'], resource: 'root' },
  // The holiday calendar is one for all units (§0 day counting): admins load it, oversight roles read it.
  'POST /admin/calendars': { roles: ['admin'], from: ANYWHERE, resource: 'none' },
  'GET /admin/calendars': { roles: ['admin', 'head', 'supervisor', 'auditor'], from: ANYWHERE, resource: 'none' },

  // Personal data (§5): heads and supervisors erase, auditors reveal (logged); all within their subtree.
  'GET /privacy/subjects': { roles: ['head', 'supervisor', 'auditor'], from: SUBTREE, resource: 'petition' },
  'POST /privacy/subjects/lookup': { roles: ['head', 'supervisor', 'auditor'], from: ANYWHERE, resource: 'none' },
  'GET /privacy/subjects/{subjectId}': { roles: ['head', 'supervisor', 'auditor'], from: SUBTREE, resource: 'subject' },
  // Erasure is irreversible: a supervisor of the subtree or the city federation's head asks, a second one approves.
  'POST /privacy/subjects/{subjectId}/erasure': ERASURE,
  'POST /privacy/subjects/{subjectId}/erasure/approval': ERASURE_REVIEW,
  'POST /privacy/subjects/{subjectId}/erasure/decline': ERASURE_REVIEW,
  'POST /privacy/subjects/{subjectId}/reveal': { roles: ['auditor'], from: SUBTREE, resource: 'subject' },

  // Audit: auditors, and officers, heads and supervisors of the case's subtree (README, Audit); integrity: auditors.
  'GET /audit/cases/{category}/{id}/history': { roles: ['auditor', 'officer', 'head', 'supervisor'], from: SUBTREE, resource: 'petition' },
  'GET /audit/cases/{category}/{id}/as-of': { roles: ['auditor', 'officer', 'head', 'supervisor'], from: SUBTREE, resource: 'petition' },
  // The hash chains span every unit's events: the city federation's auditors check them.
  'GET /audit/integrity': { roles: ['auditor'], from: ['same'], resource: 'root' },
};

/** Callers: every role inside the resource's subtree, above it, below it and in the other branch (config/demo-org.json). */
export const CALLERS = [
  'intake.east-s1-g1',
  'intake.east-s1',
  'intake.east',
  'intake.west',
  'officer.east-s1-g1',
  'officer.east-s1',
  'officer.east',
  'officer.city',
  'officer.west',
  'head.east-s1-g1',
  'head.east-s1',
  'head.east',
  'head.city',
  'head.west',
  'supervisor.east-s1',
  'supervisor.east',
  'supervisor.city',
  'supervisor.west',
  'mediator.east-s1',
  'mediator.east-s2',
  'auditor.east',
  'auditor.city',
  'auditor.west',
] as const;

/** The org unit each fixture belongs to. */
export const RESOURCE_UNIT: Record<Resource, string | undefined> = {
  petition: 'east-s1',
  mediation: 'east-s1',
  hardship: 'east-s1-g1',
  fund: 'east-s1',
  subject: 'east-s1',
  root: 'city',
  none: undefined,
};

export type Expected = 'allowed' | 'denied';

/** What the table says for one caller: allowed (anything but 401/403) or denied (403). */
export function expectedFor(rule: Rule, role: Role, relation: Relation | undefined): Expected {
  if (!rule.roles.includes(role)) return 'denied';
  return relation === undefined || (rule.fromByRole?.[role] ?? rule.from).includes(relation) ? 'allowed' : 'denied';
}
