// The part of lunar-javascript (pure computation, no I/O) Hearth uses; the package ships no types.
declare module 'lunar-javascript' {
  export class Solar {
    toYmd(): string;
  }
  export class Lunar {
    static fromYmd(year: number, month: number, day: number): Lunar;
    getSolar(): Solar;
    next(days: number): Lunar;
    getJieQiTable(): Record<string, Solar>;
  }
}
