import { createHash } from 'node:crypto';

/**
 * Hash chains of the SQLite event store (tamper evidence).
 *
 * Every stored event carries two SHA-256 links (lower-case hex):
 *   stream_hash = SHA-256( previous stream_hash of the same stream ‖ canonical )
 *   log_hash    = SHA-256( previous log_hash in position order    ‖ canonical ‖ position )
 * with GENESIS (64 zeros) as the "previous" of a stream's first event and of the log's first event, `‖` plain
 * concatenation of the UTF-8 strings, and `position` in decimal.
 *
 * `canonical` is one JSON object with the members in this fixed order:
 *   {"streamId":…,"revision":…,"position":…,"eventId":…,"type":…,"data":…,"metadata":…,"recordedAt":…}
 * where `data` and `metadata` are the JSON texts exactly as stored in their columns (so a verifier needs no JSON
 * re-serialisation rules, only the stored bytes: any change to them, even whitespace, is a change).
 *
 * Anyone holding the file can recompute this (no key): it proves that the log was not changed *consistently with
 * the chain* only up to a head hash kept elsewhere (see ChainHead in the port).
 */
export const GENESIS = '0'.repeat(64);

export interface ChainFields {
  streamId: string;
  revision: number;
  position: number;
  eventId: string;
  type: string;
  /** Stored JSON text of the data. */
  data: string;
  /** Stored JSON text of the metadata. */
  metadata: string;
  recordedAt: string;
}

export function canonicalEvent(f: ChainFields): string {
  return (
    `{"streamId":${JSON.stringify(f.streamId)},"revision":${f.revision},"position":${f.position},` +
    `"eventId":${JSON.stringify(f.eventId)},"type":${JSON.stringify(f.type)},"data":${f.data},` +
    `"metadata":${f.metadata},"recordedAt":${JSON.stringify(f.recordedAt)}}`
  );
}

export const streamLink = (prevStreamHash: string, canonical: string): string =>
  createHash('sha256').update(prevStreamHash).update(canonical).digest('hex');

export const logLink = (prevLogHash: string, canonical: string, position: number): string =>
  createHash('sha256').update(prevLogHash).update(canonical).update(String(position)).digest('hex');
