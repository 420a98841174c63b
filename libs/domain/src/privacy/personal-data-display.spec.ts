import { mayShowPersonal, PERSONAL_FIELD_KINDS, personalFieldKind } from './personal-data-display';

const IN = { inSubtree: true, assignedMediator: false };
const OUT = { inSubtree: false, assignedMediator: false };
const MINE = { inSubtree: true, assignedMediator: true };

describe('personal-data display policy (need-to-know, domain-spec §5)', () => {
  it('classifies values by subject role and field', () => {
    expect(personalFieldKind('petitioner', '/petitioners/0/name')).toBe('name');
    expect(personalFieldKind('petitioner', '/petitioners/0/idNumber')).toBe('idNumber');
    expect(personalFieldKind('petitioner', '/petitioners/0/phone')).toBe('contact');
    expect(personalFieldKind('worker', '/workers/1/address')).toBe('contact');
    expect(personalFieldKind('case', '/facts')).toBe('narrative');
    expect(personalFieldKind('employer', '/employer/name')).toBe('employer');
    expect(personalFieldKind('lawyer', '/lawyer/licenceNumber')).toBe('idNumber');
    for (const role of ['household', 'member', 'head']) expect(personalFieldKind(role, '/personal/name')).toBe('sensitive');
  });

  it('nobody sees ID numbers or sensitive data on a case view; auditors and intake see nothing', () => {
    for (const role of ['intake', 'officer', 'mediator', 'head', 'supervisor', 'auditor', 'admin', 'system']) {
      expect(mayShowPersonal(role, 'idNumber', MINE)).toBe(false);
      expect(mayShowPersonal(role, 'sensitive', MINE)).toBe(false);
    }
    for (const kind of PERSONAL_FIELD_KINDS) {
      expect(mayShowPersonal('auditor', kind, MINE)).toBe(false);
      expect(mayShowPersonal('intake', kind, MINE)).toBe(false);
      expect(mayShowPersonal('admin', kind, MINE)).toBe(false);
    }
  });

  it('officers of the case’s subtree see whom to answer; heads the name and facts; supervisors the employer only', () => {
    expect(['name', 'contact', 'narrative', 'employer'].map((k) => mayShowPersonal('officer', k as never, IN))).toEqual([true, true, true, true]);
    expect(['name', 'contact', 'narrative'].map((k) => mayShowPersonal('officer', k as never, OUT))).toEqual([false, false, false]);
    expect(['name', 'contact', 'narrative'].map((k) => mayShowPersonal('head', k as never, IN))).toEqual([true, false, true]);
    expect(['name', 'contact', 'narrative', 'employer'].map((k) => mayShowPersonal('supervisor', k as never, IN))).toEqual([false, false, false, true]);
  });

  it('mediators see the parties of their own case only', () => {
    expect(mayShowPersonal('mediator', 'name', MINE)).toBe(true);
    expect(mayShowPersonal('mediator', 'contact', MINE)).toBe(true);
    expect(mayShowPersonal('mediator', 'name', IN)).toBe(false);
  });
});
