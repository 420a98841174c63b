import type { DecisionContext } from '../common/decider';
import { forbidden } from '../common/domain-error';

/**
 * Who may change the directory: Hearth itself (the import of the org file) and administrators (系统管理员) for the
 * units of their own subtree. Keeping administration apart from auditing and case work is what a 等保 2.0 review
 * (GB/T 22239-2019 8.1.4.2, 三权分立) expects.
 */
export function requireAdminOf(ctx: DecisionContext, ...units: (string | undefined)[]): void {
  if (ctx.actor.role === 'system') return;
  if (ctx.actor.role !== 'admin') throw forbidden('ROLE_NOT_ALLOWED', `角色 ${ctx.actor.role} 不能管理组织和用户`);
  for (const u of units) {
    if (u !== undefined && !ctx.org.isWithin(u, ctx.actor.orgUnit)) throw forbidden('OUT_OF_SUBTREE', '只能管理本单位及下级单位');
  }
}
