import { describeProgress, progressOf } from './progress';

describe('progress of long work', () => {
  it('derives rate and time left from the start and now', () => {
    const p = progressOf(400_000, 1_000_000, 0, 10_000);
    expect(p).toEqual({ done: 400_000, total: 1_000_000, percent: 40, ratePerSecond: 40_000, secondsLeft: 15 });
    expect(describeProgress(p)).toBe('400,000 / 1,000,000 events (40 %), 40,000/s, 15 s left');
  });

  it('knows no rate before anything is done, and nothing left once done', () => {
    expect(progressOf(0, 10, 0, 5000)).toMatchObject({ ratePerSecond: null, secondsLeft: null, percent: 0 });
    expect(progressOf(12, 10, 0, 5000)).toMatchObject({ done: 10, percent: 100, secondsLeft: 0 });
    expect(progressOf(0, 0, 0, 0)).toMatchObject({ percent: 100, secondsLeft: 0 });
  });
});
