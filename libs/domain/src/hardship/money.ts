/** Money is carried in yuan (up to 2 decimals) and compared in integer fen, so no float drift decides a case. */
export const toFen = (yuan: number): number => Math.round(yuan * 100);
export const fromFen = (fen: number): number => fen / 100;

/** A finite, non-negative amount with at most two decimals. */
export const isValidYuan = (yuan: unknown): yuan is number =>
  typeof yuan === 'number' && Number.isFinite(yuan) && yuan >= 0 && Math.abs(yuan * 100 - Math.round(yuan * 100)) < 1e-6;
