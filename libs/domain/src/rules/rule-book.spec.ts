import { defaultRuleBook } from './rule-tables';

describe('rule book (all workflows merged)', () => {
  const book = defaultRuleBook();

  it('resolves each workflow’s keys although their tables have different effective dates', () => {
    expect(book.deadline('petition.acceptance', 'national', '2025-09-23').days).toBe(15);
    expect(book.deadline('mediation.statutory', 'national', '2025-09-23').days).toBe(15);
    expect(book.deadline('hardship.annualReview', 'national', '2025-09-23').onExpiry).toBe('miss');
  });

  it('a local table overrides only what it lists', () => {
    expect(book.deadline('petition.acceptance', 'zhejiang', '2025-09-23')).toMatchObject({ days: 5, unit: 'working' });
    expect(book.deadline('petition.reviewWindow', 'zhejiang', '2025-09-23').days).toBe(30);
    expect(book.deadline('mediation.statutory', 'zhejiang', '2025-09-23').days).toBe(15);
  });

  it('applies the rule in force on the date asked (no petition rule before the 2022 regulation)', () => {
    expect(() => book.deadline('petition.acceptance', 'national', '2022-04-30')).toThrow(/no deadline rule/);
  });
});
