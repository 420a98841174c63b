import { randomUUID } from 'node:crypto';
import { appendTimeline, compactId, decodeTimeline, decodeTimelineList, encodeTimeline, expandId, packTime, unpackTime } from './petition.model';

describe('petition read model encoding', () => {
  it('compacts UUIDs to 22 characters and back; leaves other ids readable and unambiguous', () => {
    const uuid = '8f3c2a1e-5b6d-4c7e-9f80-1a2b3c4d5e6f';
    expect(compactId(uuid)).toHaveLength(22);
    expect(expandId(compactId(uuid))).toBe(uuid);
    for (const id of ['p1', 'case-42', 'ABCDEFGHIJKLMNOPQRSTUV', '~x', '8F3C2A1E-5B6D-4C7E-9F80-1A2B3C4D5E6F']) expect(expandId(compactId(id))).toBe(id);
    expect(compactId('p1')).toBe('p1');
  });

  it('compacts exactly the lowercase UUIDs, as the hex → base64url reference does', () => {
    const reference = (id: string) =>
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url') : undefined;
    const ids = Array.from({ length: 200 }, () => randomUUID());
    ids.push('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff');
    for (const id of ids) expect(compactId(id)).toBe(reference(id));
    // Near misses stay as they are: a dash moved, a non-hex or upper-case digit, one character more or less.
    for (const id of ['8f3c2a1e5-b6d-4c7e-9f80-1a2b3c4d5e6f', '8f3c2a1e-5b6d-4c7e-9f80-1a2b3c4d5e6g', '8f3c2a1e-5b6d-4c7e-9f80-1a2b3c4d5e6F', '8f3c2a1e-5b6d-4c7e-9f80-1a2b3c4d5e6', '8f3c2a1e-5b6d-4c7e-9f80-1a2b3c4d5e6f0'])
      expect(compactId(id)).toBe(id);
  });

  it('packs instants losslessly and round-trips timeline entries', () => {
    const at = '2025-09-23T01:02:03.456Z';
    expect(unpackTime(packTime(at))).toBe(at);
    expect(packTime('garbage')).toBe('');
    const actor = '0b4f1c52-98a3-4f7e-b1d2-3c4d5e6f7a8b';
    expect(decodeTimeline(encodeTimeline('PetitionAccepted', packTime(at), actor))).toEqual({ type: 'PetitionAccepted', at, actorId: actor });
    expect(decodeTimeline(encodeTimeline('SomethingNew', packTime(at), 'system'))).toEqual({ type: 'SomethingNew', at, actorId: 'system' });
  });

  it('a timeline leaves out repeated times and actors, decodes to every entry in full, and keeps the newest `cap`', () => {
    const t = (m: number) => new Date(Date.UTC(2025, 8, 23, 1, m)).toISOString();
    // [type, time, actor]: repeats of both, an actor coming back, a genuinely empty actor, then more than the cap.
    const steps: Array<[string, string, string]> = [
      ['PetitionRegistered', t(0), 'intake.east-s1'],
      ['DeadlineOpened', t(0), 'intake.east-s1'],
      ['PetitionAccepted', t(5), 'officer.east-s1'],
      ['HandlerAssigned', t(5), 'officer.east-s1'],
      ['ProgressRecorded', t(9), 'officer.east-s1'],
      ['AnswerApproved', t(9), 'head.east-s1'],
      ['ProgressRecorded', t(12), ''],
      ['ProgressRecorded', t(12), 'officer.east-s1'],
      ['DeadlineMet', t(13), 'officer.east-s1'],
    ];
    const full = steps.map(([type, at, actorId]) => ({ type, at, actorId }));
    for (const cap of [30, 5, 3, 1]) {
      const tl: string[] = [];
      steps.forEach(([type, at, actor], i) => {
        appendTimeline(tl, type, packTime(at), actor, cap);
        expect(decodeTimelineList(tl)).toEqual(full.slice(Math.max(0, i + 1 - cap), i + 1));
        expect(decodeTimeline(tl[0])).toEqual(full[Math.max(0, i + 1 - cap)]);
      });
    }
    const compact: string[] = [];
    for (const [type, at, actor] of steps) appendTimeline(compact, type, packTime(at), actor, 30);
    const plain = steps.map(([type, at, actor]) => encodeTimeline(type, packTime(at), actor));
    expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(plain).length * 0.7);
  });

  it('still reads timelines written before repeats were left out', () => {
    const plain = [encodeTimeline('PetitionRegistered', packTime('2025-09-23T01:00:00.000Z'), 'intake.x'), encodeTimeline('PetitionAccepted', packTime('2025-09-24T01:00:00.000Z'), 'officer.x')];
    expect(decodeTimelineList(plain)).toEqual([
      { type: 'PetitionRegistered', at: '2025-09-23T01:00:00.000Z', actorId: 'intake.x' },
      { type: 'PetitionAccepted', at: '2025-09-24T01:00:00.000Z', actorId: 'officer.x' },
    ]);
  });
});
