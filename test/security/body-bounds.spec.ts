import { MAX_BODY_DEPTH, MAX_BODY_NODES, bodyBoundViolation } from '@hearth/platform';

const nested = (depth: number, leaf: unknown = 1, kind: 'object' | 'array' = 'object'): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
};

/** Issue 11, defect 7: body shapes that made the validation pipe overflow or throw are found before it runs. */
describe('body bounds', () => {
  it('ordinary bodies pass', () => {
    expect(bodyBoundViolation({ orgUnit: 'east-s1', petitioners: [{ name: '张三' }], headcount: 1, amountYuan: 1234.56, ok: true, none: null })).toBeUndefined();
    expect(bodyBoundViolation(undefined)).toBeUndefined();
    expect(bodyBoundViolation(nested(MAX_BODY_DEPTH - 1))).toBeUndefined();
    expect(bodyBoundViolation({ small: 0.000001, zero: 0, negative: -5, big: 1e20 })).toBeUndefined();
  });

  it('too deep, as objects or arrays, however deep (10,000 and 50,000 levels)', () => {
    expect(bodyBoundViolation(nested(MAX_BODY_DEPTH + 1))?.message).toMatch(/嵌套过深/);
    expect(bodyBoundViolation(nested(10_000))?.message).toMatch(/嵌套过深/);
    expect(bodyBoundViolation(nested(50_000, 1, 'array'))?.message).toMatch(/嵌套过深/);
  });

  it('too many values', () => {
    expect(bodyBoundViolation({ list: Array.from({ length: MAX_BODY_NODES + 1 }, (_, i) => i) })?.message).toMatch(/过多/);
  });

  it.each([[1e-320], [5e-324], [1e-7], [1e21], [-1e300], [Infinity], [NaN]])('number %p is out of range', (n) => {
    const v = bodyBoundViolation({ household: { monthlyIncomeYuan: n } });
    expect(v).toMatchObject({ field: 'household.monthlyIncomeYuan' });
    expect(v?.message).toMatch(/数值超出允许范围/);
  });
});
