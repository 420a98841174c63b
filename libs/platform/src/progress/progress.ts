/** How far a long piece of work (a rebuild: events replayed of the log) has come, its rate, and the time left. */
export interface Progress {
  done: number;
  total: number;
  /** 0–100, one decimal. */
  percent: number;
  /** Average since the start; null before anything is done. */
  ratePerSecond: number | null;
  /** At that rate; null when unknown, 0 when done. */
  secondsLeft: number | null;
}

/** Pure: the caller passes the clock readings (real time, epoch ms). */
export function progressOf(done: number, total: number, startedAtMs: number, nowMs: number): Progress {
  const d = Math.max(0, Math.min(done, total));
  const elapsed = (nowMs - startedAtMs) / 1000;
  const rate = d > 0 && elapsed > 0 ? d / elapsed : null;
  return {
    done: d,
    total,
    percent: total > 0 ? Math.round((d / total) * 1000) / 10 : 100,
    ratePerSecond: rate === null ? null : Math.round(rate),
    secondsLeft: d >= total ? 0 : rate === null ? null : Math.ceil((total - d) / rate),
  };
}

/** One line for a terminal: `412,000 / 1,012,801 events (40.7 %), 48,112/s, 13 s left`. */
export function describeProgress(p: Progress, unit = 'events'): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rate = p.ratePerSecond === null ? '' : `, ${n(p.ratePerSecond)}/s`;
  const left = p.secondsLeft === null ? '' : p.secondsLeft === 0 ? ', done' : `, ${p.secondsLeft} s left`;
  return `${n(p.done)} / ${n(p.total)} ${unit} (${p.percent} %)${rate}${left}`;
}
