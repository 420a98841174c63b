import { ControlledClock, isControlledClock, PARKED_DELAY_MS } from './controlled-clock';
import { AcceleratedClock, SystemClock } from './clock';

describe('ControlledClock', () => {
  const start = '2025-09-23T01:00:00.000Z';

  it('stands still until told to move, and only moves forward', () => {
    const clock = new ControlledClock(start);
    expect(clock.now().toISOString()).toBe(start);
    expect(clock.advance(86_400_000).toISOString()).toBe('2025-09-24T01:00:00.000Z');
    // An older value (a late message) is ignored.
    expect(clock.set(start).toISOString()).toBe('2025-09-24T01:00:00.000Z');
    expect(clock.set('2025-10-09T16:00:00Z').toISOString()).toBe('2025-10-09T16:00:00.000Z');
    expect(() => clock.set('not a date')).toThrow('invalid instant');
  });

  it('due instants have no real delay; later ones are parked until an advance', () => {
    const clock = new ControlledClock(start);
    expect(clock.realDelayUntil('2025-09-22T00:00:00Z')).toBe(0);
    expect(clock.realDelayUntil(start)).toBe(0);
    expect(clock.realDelayUntil('2025-09-23T01:00:00.001Z')).toBe(PARKED_DELAY_MS);
    clock.advance(1);
    expect(clock.realDelayUntil('2025-09-23T01:00:00.001Z')).toBe(0);
  });

  it('tells its listeners about every forward move, and only those', () => {
    const clock = new ControlledClock(start);
    const seen: string[] = [];
    const stop = clock.onAdvance((now) => seen.push(now.toISOString()));
    clock.advance(1000);
    clock.set(start);
    stop();
    clock.advance(1000);
    expect(seen).toEqual(['2025-09-23T01:00:01.000Z']);
  });

  it('is told apart from the real and the accelerated clocks', () => {
    expect(isControlledClock(new ControlledClock(start))).toBe(true);
    expect(isControlledClock(new SystemClock())).toBe(false);
    expect(isControlledClock(new AcceleratedClock(86_400, Date.parse(start), 0))).toBe(false);
    expect(isControlledClock(undefined)).toBe(false);
  });
});

describe('ControlledClock.speed', () => {
  it('is a finite, positive divisor (callers turn domain durations into real ones with it)', () => {
    const clock = new ControlledClock('2025-09-23T01:00:00.000Z');
    expect(Number.isFinite(3_600_000 / clock.speed)).toBe(true);
    expect(clock.speed).toBeGreaterThan(0);
  });
});
