import type { Role } from '../common/actor';
import type { DecisionContext } from '../common/decider';
import { ruleViolation } from '../common/domain-error';

/**
 * People named in commands are real (issue 14): a signing head, an assigned handler or mediator must be an active
 * user of the directory with one of `roles`, in the case unit's line (the unit itself, a unit above it or below it).
 * A directory without people (the pure specs of the case deciders) checks nothing.
 */
export function requireNamedUser(ctx: DecisionContext, userId: string, roles: readonly Role[], caseUnit: string, code: string, field: string): void {
  if (ctx.org.users().length === 0) return;
  const u = ctx.org.user(userId);
  const related = u !== undefined && (ctx.org.isWithin(caseUnit, u.orgUnit) || ctx.org.isWithin(u.orgUnit, caseUnit));
  if (!u || !u.active || !roles.includes(u.role) || !related)
    throw ruleViolation(code, `${field} 须为本案所在单位（或其上、下级单位）在职的${roles.join('/')}用户`, { field, userId });
}
