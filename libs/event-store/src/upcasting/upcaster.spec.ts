import type { RecordedEvent } from '../event-store.port';
import { hearthUpcasters, petitionRegisteredV1, splitContact, UpcasterRegistry } from './index';

const recorded = (type: string, data: unknown, schemaVersion?: number): RecordedEvent => ({
  id: 'e1',
  streamId: 'petition-1',
  revision: 0,
  position: 1,
  type,
  data,
  metadata: { actorId: 'a', role: 'intake', orgUnit: 'u', occurredAt: '2025-01-01T00:00:00.000Z', commandId: 'c', correlationId: 'c', causationId: 'c', schemaVersion: schemaVersion as number },
  recordedAt: '2025-01-01T00:00:00.000Z',
});

describe('splitContact (PetitionRegistered v1 → v2)', () => {
  it.each([
    ['13800000000', { phone: '13800000000' }],
    ['zhang@example.cn', { email: 'zhang@example.cn' }],
    ['13800000000 / zhang@example.cn', { phone: '13800000000', email: 'zhang@example.cn' }],
    ['zhang@example.cn；010-12345678 转 8', { phone: '010-12345678 转 8', email: 'zhang@example.cn' }],
    ['   ', {}],
  ])('%j → %j', (contact, expected) => expect(splitContact(contact)).toEqual(expected));
});

describe('UpcasterRegistry', () => {
  it('chains steps up to the current version and stamps it', () => {
    const reg = new UpcasterRegistry([
      { type: 'T', fromVersion: 1, upcast: (d) => ({ ...(d as object), b: 1 }) },
      { type: 'T', fromVersion: 2, upcast: (d) => ({ ...(d as object), c: 2 }) },
    ]).assertComplete();
    expect(reg.currentVersion('T')).toBe(3);
    expect(reg.currentVersion('Other')).toBe(1);
    const v1 = recorded('T', { a: 0 }, 1);
    expect(reg.upcast(v1)).toMatchObject({ data: { a: 0, b: 1, c: 2 }, metadata: { schemaVersion: 3 } });
    expect(reg.upcast(recorded('T', { a: 0 }, 2)).data).toEqual({ a: 0, c: 2 });
    // Events written before versions were recorded count as v1; current ones and other types pass untouched.
    expect(reg.upcast(recorded('T', { a: 0 })).data).toEqual({ a: 0, b: 1, c: 2 });
    const current = recorded('T', { a: 0 }, 3);
    expect(reg.upcast(current)).toBe(current);
    const other = recorded('Other', { a: 0 }, 1);
    expect(reg.upcast(other)).toBe(other);
    expect(v1.data).toEqual({ a: 0 });
  });

  it('refuses duplicates and gaps', () => {
    const step = { type: 'T', fromVersion: 1, upcast: (d: unknown) => d };
    expect(() => new UpcasterRegistry([step, step])).toThrow(/twice/);
    expect(() => new UpcasterRegistry([{ ...step, fromVersion: 2 }]).assertComplete()).toThrow(/no step from v1/);
    expect(() => new UpcasterRegistry([{ ...step, fromVersion: 0 }])).toThrow(/fromVersion/);
  });

  it('ships PetitionRegistered at v2, splitting only string contacts', () => {
    const reg = hearthUpcasters();
    expect(reg.currentVersion('PetitionRegistered')).toBe(2);
    const envelope = { $pii: 1, s: 's', k: 'k', r: 'petitioner', c: 'xx' };
    const out = petitionRegisteredV1.upcast({
      subject: 's',
      petitioners: [{ name: 'a', contact: '1390000 a@b.cn' }, { name: 'b' }, { name: 'c', contact: envelope }],
    });
    expect(out).toEqual({ subject: 's', petitioners: [{ name: 'a', phone: '1390000', email: 'a@b.cn' }, { name: 'b' }, { name: 'c', contact: envelope }] });
  });
});
