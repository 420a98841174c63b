import type { EventMetadata, RecordedEvent } from '../event-store.port';

/**
 * PostgreSQL returns bigint (int8) as a string, since it can exceed 2^53. Positions and revisions are parsed as
 * numbers, and one that a JavaScript number cannot hold exactly is an error, never a silently rounded position.
 */
export function toPosition(value: string | number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`position or revision ${String(value)} is not a safe integer`);
  return n;
}

export const EVENT_COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';

/** A read row in array mode (no per-row objects, no hash columns), in EVENT_COLUMNS order. */
export type EventRow = [position: string, streamId: string, revision: string, eventId: string, type: string, data: string, metadata: string, recordedAt: string];

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row[3],
    streamId: row[1],
    revision: toPosition(row[2]),
    position: toPosition(row[0]),
    type: row[4],
    data: JSON.parse(row[5]) as unknown,
    metadata: JSON.parse(row[6]) as EventMetadata,
    recordedAt: row[7],
  };
}
