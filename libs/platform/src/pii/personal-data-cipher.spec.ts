import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent, RecordedEvent } from '@hearth/event-store';
import { personSubjectId } from './blind-index';
import { envelopesIn, ERASED, maskPersonalData, PersonalDataCipher } from './personal-data-cipher';
import { hearthPersonalDataPolicy } from './personal-data-policy';
import { SqliteKeyStore } from './sqlite-key-store';

/* eslint-disable @typescript-eslint/no-explicit-any */

const KEY = 'unit-test-blind-index-key';
const META = { actorId: 'a', role: 'officer', orgUnit: 'u', occurredAt: '2025-01-01T00:00:00.000Z', commandId: 'c', correlationId: 'c', causationId: 'c', schemaVersion: 1 };
const event = (type: string, data: unknown): NewEvent => ({ id: randomUUID(), type, data, metadata: META });
const asRecorded = (streamId: string, e: NewEvent): RecordedEvent => ({ ...e, streamId, revision: 0, position: 1, recordedAt: META.occurredAt });

describe('PersonalDataCipher with the Hearth policy', () => {
  let dir: string;
  let keys: SqliteKeyStore;
  let cipher: PersonalDataCipher;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-pii-'));
    keys = new SqliteKeyStore({ file: join(dir, 'keys.sqlite'), masterKey: randomBytes(32) });
    cipher = new PersonalDataCipher(keys, hearthPersonalDataPolicy(KEY));
  });
  afterEach(async () => {
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const protect = async (streamId: string, type: string, data: unknown) => {
    const e = event(type, data);
    const [out] = await cipher.protect(streamId, [e]);
    return { e, out, subjects: envelopesIn(out.data).map((x) => ({ path: x.pointer, subject: x.envelope.s, role: x.envelope.r })) };
  };

  it('mediation: workers by ID number or by worker id, the employer and facts under the case; ids and flags in the clear', async () => {
    const { out, subjects } = await protect('mediation-m1', 'MediationApplied', {
      workers: [
        { workerId: 'w1', name: '甲', idNumber: '110101198502023456', migrantWorker: true },
        { workerId: 'w2', name: '乙', phone: '139', migrantWorker: false },
      ],
      employer: { name: '某公司', creditCode: '9111' },
      facts: '拖欠工资',
      headcount: 2,
    });
    const d = out.data as any;
    expect(d.workers.map((w: any) => [w.workerId, w.migrantWorker])).toEqual([
      ['w1', true],
      ['w2', false],
    ]);
    expect(d.headcount).toBe(2);
    const by = (path: string) => subjects.find((s) => s.path === path)!;
    expect(by('/workers/0/name').subject).toBe(personSubjectId('110101198502023456', KEY));
    expect(by('/workers/0/idNumber').subject).toBe(by('/workers/0/name').subject);
    expect(by('/workers/1/phone').subject).toBe(by('/workers/1/name').subject);
    expect(by('/workers/1/name').subject).not.toBe(by('/workers/0/name').subject);
    expect([by('/employer/name').role, by('/employer/creditCode').role, by('/facts').role]).toEqual(['employer', 'employer', 'case']);
    expect(by('/employer/name').subject).toBe(by('/facts').subject);
    expect(subjects).toHaveLength(7);
  });

  it('hardship: head, members, objector and the household are separate subjects; every personal value is encrypted', async () => {
    const applied = await protect('hardship-f1', 'HardshipFileApplied', {
      fileId: 'f1',
      stats: { membersCount: 2 },
      personal: { headName: '张', idNumber: '110101199001011234', phone: '1', address: 'A路', members: [{ name: '李', relation: 'child', age: 9 }], situation: '困难' },
    });
    const roles = Object.fromEntries(applied.subjects.map((s) => [s.path, s.role]));
    expect(roles).toEqual({
      '/personal/headName': 'head',
      '/personal/idNumber': 'head',
      '/personal/phone': 'head',
      '/personal/members/0/name': 'member',
      '/personal/members/0/relation': 'member',
      '/personal/members/0/age': 'member',
      '/personal/address': 'household',
      '/personal/situation': 'household',
    });
    expect((applied.out.data as any).stats).toEqual({ membersCount: 2 });
    const objection = await protect('hardship-f1', 'ObjectionRaised', { objectionId: 'o1', personal: { content: '有房出租', objectorName: '王', objectorContact: '137' } });
    const s = Object.fromEntries(objection.subjects.map((x) => [x.path, x.subject]));
    expect(s['/personal/objectorName']).toBe(s['/personal/objectorContact']);
    expect(s['/personal/content']).toBe(applied.subjects.find((x) => x.role === 'household')!.subject);
    expect(s['/personal/objectorName']).not.toBe(s['/personal/content']);
    // Any hardship event's `personal` member is the household's, even one the policy does not list.
    const note = await protect('hardship-f1', 'HomeVisitRecorded', { visitDate: '2025-01-01', personal: { findings: '住房简陋' } });
    expect(note.subjects.map((x) => x.role)).toEqual(['household']);
  });

  it('opens what it sealed, binds each value to its place, and leaves events without personal data alone', async () => {
    const { e, out } = await protect('petition-p1', 'PetitionRegistered', { petitioners: [{ name: '甲' }, { name: '乙' }], facts: 'f', request: 'r', subject: 's' });
    expect(await cipher.open([asRecorded('petition-p1', out)])).toEqual([asRecorded('petition-p1', e)]);
    // An envelope moved to another place (or another event) does not open.
    const moved = structuredClone(out.data) as any;
    moved.petitioners[1].name = moved.petitioners[0].name;
    await expect(cipher.open([asRecorded('petition-p1', { ...out, data: moved })])).rejects.toThrow();
    await expect(cipher.open([asRecorded('petition-p2', out)])).rejects.toThrow();
    const plain = event('PetitionAccepted', { signedBy: 'x' });
    expect((await cipher.protect('petition-p1', [plain]))[0]).toBe(plain);
  });

  it('does not encrypt erased markers copied from an erased event, nor create keys for subjects with nothing to encrypt', async () => {
    const { out, subjects } = await protect('mediation-m2', 'PetitionRoutedOut', {
      mediation: { workers: [{ workerId: 'w1', name: ERASED, idNumber: ERASED, migrantWorker: true }], employer: { name: '某公司' } },
    });
    expect((out.data as any).mediation.workers[0].name).toBe(ERASED);
    expect(subjects.map((s) => s.role)).toEqual(['employer']);
  });

  it('masks envelopes for views that must not decrypt', async () => {
    const { out } = await protect('petition-p1', 'PetitionRegistered', { petitioners: [{ name: '甲' }], subject: 's' });
    const masked = maskPersonalData(out.data) as any;
    expect(masked.petitioners[0].name).toMatchObject({ personal: true, role: 'petitioner' });
    expect(masked.subject).toBe('s');
  });
});
