import { deadlineJobId, deadlineKey, indexValueOf, jobIdFromIndex } from './deadline-jobs';

describe('the scheduler index stores timer ids without their deadline key', () => {
  const key = deadlineKey('petition-0f1e', 'acceptance-1');

  it('round-trips the due-time timer and a rung timer', () => {
    for (const id of [deadlineJobId('petition-0f1e', 'acceptance-1', '2026-03-10T02:00:00.000Z'), deadlineJobId('petition-0f1e', 'acceptance-1', '2026-03-09T02:00:00.000Z', 'escalated', 3)]) {
      const stored = indexValueOf(key, id);
      expect(stored.length).toBeLessThan(id.length - key.length);
      expect(jobIdFromIndex(key, stored)).toBe(id);
    }
    expect(indexValueOf(key, deadlineJobId('petition-0f1e', 'acceptance-1', '2026-03-10T02:00:00.000Z'))).toBe(String(Date.parse('2026-03-10T02:00:00.000Z')));
  });

  it('still reads an index written with full ids (before the compact form)', () => {
    const id = deadlineJobId('petition-0f1e', 'acceptance-1', '2026-03-09T02:00:00.000Z', 'dueSoon');
    expect(jobIdFromIndex(key, id)).toBe(id);
  });
});
