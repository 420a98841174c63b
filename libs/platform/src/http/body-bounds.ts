/**
 * Bounds on the shape of a JSON body, checked before class-transformer and class-validator see it: both recurse,
 * so a 10,000-deep object overflows the stack (a 500), and class-validator's `IsNumber` throws on a number it prints
 * in exponent form (`1e-320`). No Hearth request nests deeper than a few levels or holds thousands of values
 * (issue 11, defect 7). The walk itself is iterative, so the check cannot overflow either.
 */
export const MAX_BODY_DEPTH = 32;
export const MAX_BODY_NODES = 20_000;

export interface BodyBoundViolation {
  field: string;
  message: string;
}

/** The first way `body` breaks the bounds, or undefined when it keeps them. */
export function bodyBoundViolation(body: unknown): BodyBoundViolation | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (++nodes > MAX_BODY_NODES) return { field: path || '(body)', message: `请求体的值过多（最多 ${MAX_BODY_NODES} 个）` };
    if (typeof value === 'number') {
      // JSON allows 1e400 (Infinity once parsed) and 1e-320; no amount, count or day number looks like either.
      if (!Number.isFinite(value) || String(value).includes('e'))
        return { field: path || '(body)', message: '数值超出允许范围（绝对值须小于 1e21，且为 0 或不小于 1e-6）' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) return { field: path || '(body)', message: `请求体嵌套过深（最多 ${MAX_BODY_DEPTH} 层）` };
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [key, child] of entries) stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
  }
  return undefined;
}
