import Database from 'better-sqlite3';
import type { ChainHead, IntegrityBreak, IntegrityReport, VerifyIntegrityOptions } from '../event-store.port';
import { canonicalEvent, GENESIS, logLink, streamLink } from './hash-chain';

interface ChainRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
  stream_hash: string | null;
  log_hash: string | null;
}

interface StreamTip {
  revision: number;
  hash: string;
  position: number;
}

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at, stream_hash, log_hash';
/** Rows per page of the walk; the process gets the event loop back between pages. */
const PAGE = 2000;
/** How far (in positions) a moved event's original position is searched for. Only runs once a break is found. */
const MOVE_SEARCH = 100_000;

const canonicalAt = (r: ChainRow, position: number): string =>
  canonicalEvent({
    streamId: r.stream_id,
    revision: r.revision,
    position,
    eventId: r.event_id,
    type: r.type,
    data: r.data,
    metadata: r.metadata,
    recordedAt: r.recorded_at,
  });

/**
 * The verifier behind SqliteEventStore.verifyIntegrity (format in hash-chain.ts). Each event is checked against the
 * *stored* hash of its predecessors (the previous event in the log, the previous revision of its stream), so one
 * change shows as one local break rather than breaking everything after it, and the kind of change can be told:
 *
 * - content changed (data, metadata, type, ids, time) → both links of that event fail: `edited`;
 * - a stored hash changed, or an event re-hashed consistently → the next link fails while the content still matches
 *   its stream chain: `edited`, at the rewritten event;
 * - a position gap with a failing link, or a missing stream revision → `deleted`;
 * - a stream revision out of order, or an event whose hash matches it at another position → `reordered`
 *   (a whole run shifted by k positions → `deleted`/`inserted` k events, with renumbering);
 * - an event the chain skips over (the next event links to the one before it) → `inserted`;
 * - the end of the log below the AUTOINCREMENT sequence, or below a kept head → `truncated`; the streams table
 *   expecting revisions that are not there → `deleted`.
 *
 * The pages are read without a transaction (appends go on meanwhile and only extend the chain); the final catch-up
 * and the checks of the streams table and the sequence run in one read transaction, so they see the same snapshot.
 */
export async function verifyChain(
  db: Database.Database,
  options: VerifyIntegrityOptions,
  assertOpen: () => void,
): Promise<IntegrityReport> {
  const page = db.prepare<[number, number], ChainRow>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`);
  const nextRow = db.prepare<[number], ChainRow>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT 1`);
  const atRevision = db.prepare<[string, number], { position: number }>(
    'SELECT position FROM events WHERE stream_id = ? AND revision = ?',
  );
  const lastRevision = db.prepare<[string], { last_revision: number }>('SELECT last_revision FROM streams WHERE stream_id = ?');
  const streamsTable = db.prepare<[], { stream_id: string; last_revision: number }>('SELECT stream_id, last_revision FROM streams');
  const sequence = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'");

  const expected = options.expectedHead;
  const streams = new Map<string, StreamTip>();
  let prevPosition = 0;
  let prevLog = GENESIS;
  let checked = 0;
  let head: ChainHead | null = null;
  let hashAtExpected: string | undefined;

  const report = (brk?: IntegrityBreak): IntegrityReport => ({
    ok: !brk,
    checkedEvents: checked,
    checkedStreams: streams.size,
    head,
    ...(brk ? { break: brk } : {}),
    checkedAgainstHead: !!expected,
  });

  /** The position whose content reproduces this event's stream hash, if it was moved (undefined otherwise). */
  const originalPosition = (r: ChainRow, prevStreamHash: string): number | undefined => {
    const top = Math.max(sequence.get()?.seq ?? 0, r.position) + MOVE_SEARCH;
    for (let d = 1; d <= MOVE_SEARCH; d++) {
      for (const x of [r.position - d, r.position + d]) {
        if (x < 1 || x > top) continue;
        if (streamLink(prevStreamHash, canonicalAt(r, x)) === r.stream_hash) return x;
      }
    }
    return undefined;
  };

  /** Does `q` link to `prevHash` at position `at` (its own position, or where it would be before a renumbering)? */
  const linksTo = (q: ChainRow | undefined, prevHash: string, at: number): boolean =>
    !!q && q.log_hash !== null && logLink(prevHash, canonicalAt(q, at), at) === q.log_hash;

  const check = (r: ChainRow): IntegrityBreak | undefined => {
    const at = { position: r.position, streamId: r.stream_id, revision: r.revision, eventId: r.event_id };
    const where = `position ${r.position} (stream ${r.stream_id}, revision ${r.revision})`;
    if (r.stream_hash === null || r.log_hash === null)
      return { kind: 'unchained', ...at, detail: `the event at ${where} has no hash: it was written outside the chain` };
    const tip = streams.get(r.stream_id);
    const expectedRevision = tip ? tip.revision + 1 : 0;
    const prevStreamHash = tip ? tip.hash : GENESIS;
    const canonical = canonicalAt(r, r.position);
    const contentMatches = streamLink(prevStreamHash, canonical) === r.stream_hash;
    const logOk = logLink(prevLog, canonical, r.position) === r.log_hash;
    // A gap that the log link vouches for existed when the chain was computed: not a break.
    if (contentMatches && logOk && r.revision === expectedRevision) return undefined;

    if (r.position > prevPosition + 1 && !logOk) {
      const from = prevPosition + 1;
      const to = r.position - 1;
      return {
        kind: 'deleted',
        position: from,
        ...(r.revision > expectedRevision ? { streamId: r.stream_id, revision: expectedRevision } : {}),
        detail: `position${from === to ? ` ${from} is` : `s ${from}..${to} are`} missing from the log (the chain at position ${r.position} links to an event that is gone)`,
      };
    }
    if (r.revision < expectedRevision)
      return {
        kind: 'reordered',
        ...at,
        detail: `revision ${r.revision} of stream ${r.stream_id} is at position ${r.position}, after revision ${tip!.revision} at position ${tip!.position}`,
      };
    if (r.revision > expectedRevision) {
      const moved = atRevision.get(r.stream_id, expectedRevision);
      return moved
        ? {
            kind: 'reordered',
            ...at,
            detail: `revision ${r.revision} of stream ${r.stream_id} is at position ${r.position}, before revision ${expectedRevision} at position ${moved.position}`,
          }
        : {
            kind: 'deleted',
            position: r.position,
            streamId: r.stream_id,
            revision: expectedRevision,
            detail: `revision${expectedRevision === r.revision - 1 ? ` ${expectedRevision} is` : `s ${expectedRevision}..${r.revision - 1} are`} of stream ${r.stream_id} missing (the stream continues at ${where})`,
          };
    }
    const q = nextRow.get(r.position);
    if (contentMatches) {
      // The event is intact (its stream chain vouches for it) but the log link into it is broken.
      if (linksTo(q, r.log_hash, q?.position ?? 0))
        return {
          kind: 'edited',
          position: prevPosition,
          detail: `the event at position ${prevPosition} was rewritten and re-hashed: the chain at ${where} links to a different hash`,
        };
      return { kind: 'edited', ...at, detail: `the log hash of the event at ${where} was changed` };
    }
    const listed = lastRevision.get(r.stream_id);
    if (!listed || r.revision > listed.last_revision)
      return { kind: 'inserted', ...at, detail: `the event at ${where} is not part of the chain, and the streams table does not know it` };
    const x = originalPosition(r, prevStreamHash);
    if (x !== undefined) {
      const shift = x - r.position;
      if (q && linksTo(q, r.log_hash, q.position + shift))
        return shift > 0
          ? {
              kind: 'deleted',
              ...at,
              detail: `${shift} event(s) before ${where} were deleted and the later events renumbered (this event was recorded at position ${x})`,
            }
          : {
              kind: 'inserted',
              position: x,
              detail: `${-shift} event(s) were inserted at position ${x} and the later events renumbered (the event now at ${where} was recorded at position ${x})`,
            };
      return { kind: 'reordered', ...at, detail: `the event at ${where} was recorded at position ${x}` };
    }
    if (q && (linksTo(q, prevLog, q.position) || linksTo(q, prevLog, q.position - 1)))
      return { kind: 'inserted', ...at, detail: `the event at ${where} is not part of the chain: the next event links to the one before it` };
    return {
      kind: 'edited',
      ...at,
      detail: `the event at ${where} does not match its hashes: its data, metadata, type, ids or time were changed`,
    };
  };

  const walk = (rows: readonly ChainRow[]): IntegrityBreak | undefined => {
    for (const r of rows) {
      const brk = check(r);
      if (brk) return brk;
      streams.set(r.stream_id, { revision: r.revision, hash: r.stream_hash!, position: r.position });
      prevPosition = r.position;
      prevLog = r.log_hash!;
      head = { position: r.position, logHash: prevLog };
      if (expected && r.position === expected.position) hashAtExpected = prevLog;
      checked++;
    }
    return undefined;
  };

  // Walk in pages while appends go on.
  for (;;) {
    assertOpen();
    const rows = page.all(prevPosition, PAGE);
    const brk = walk(rows);
    if (brk) return report(brk);
    if (rows.length < PAGE) break;
    await new Promise<void>((r) => setImmediate(r));
  }

  // Catch up and check the store's own counters against one snapshot.
  assertOpen();
  const final = db.transaction((): IntegrityBreak | undefined => {
    for (;;) {
      const rows = page.all(prevPosition, PAGE);
      const brk = walk(rows);
      if (brk) return brk;
      if (rows.length < PAGE) break;
    }
    const seq = sequence.get()?.seq ?? 0;
    if (seq > prevPosition)
      return {
        kind: 'truncated',
        position: prevPosition + 1,
        detail: `the log ends at position ${prevPosition} but positions up to ${seq} were assigned: ${seq - prevPosition} event(s) were removed from the end`,
      };
    const listed = new Set<string>();
    for (const s of streamsTable.iterate()) {
      listed.add(s.stream_id);
      const tip = streams.get(s.stream_id);
      const last = tip ? tip.revision : -1;
      if (s.last_revision > last)
        return {
          kind: 'deleted',
          position: tip ? tip.position + 1 : prevPosition + 1,
          streamId: s.stream_id,
          revision: last + 1,
          detail: `stream ${s.stream_id} has revisions up to ${s.last_revision}, but the log ends it at ${last}`,
        };
      if (s.last_revision < last)
        return {
          kind: 'inserted',
          position: tip!.position,
          streamId: s.stream_id,
          revision: last,
          detail: `stream ${s.stream_id} has revisions up to ${s.last_revision}, but the log holds revision ${last}`,
        };
    }
    for (const id of streams.keys()) {
      // Every stream seen in the log must be known to the streams table (a forged stream usually is not).
      if (!listed.has(id))
        return {
          kind: 'inserted',
          position: streams.get(id)!.position,
          streamId: id,
          detail: `stream ${id} is in the log but not in the streams table`,
        };
    }
    return undefined;
  })();
  if (final) return report(final);

  if (expected) {
    if (expected.position > prevPosition)
      return report({
        kind: 'truncated',
        position: prevPosition + 1,
        detail: `the log ends at position ${prevPosition}, before the kept head at position ${expected.position}`,
      });
    if (hashAtExpected !== expected.logHash)
      return report({
        kind: 'edited',
        position: expected.position,
        detail:
          hashAtExpected === undefined
            ? `there is no event at the kept head's position ${expected.position}`
            : `the chain at position ${expected.position} is ${hashAtExpected}, not the kept head ${expected.logHash}: events up to there were rewritten and re-hashed`,
      });
  }
  return report();
}

/** What `hearth verify` can say about a file: the walk's report, or why there is no chain to walk. */
export type FileVerification = { checked: true; report: IntegrityReport } | { checked: false; reason: string };

const CHAIN_TABLES = ['events', 'streams', 'sqlite_sequence'];
const CHAIN_COLUMNS = ['position', 'stream_id', 'revision', 'event_id', 'type', 'data', 'metadata', 'recorded_at', 'stream_hash', 'log_hash'];

/** Why the file holds no chain to check (tables or hash columns missing, or no event hashed), or undefined. */
function missingChain(db: Database.Database): string | undefined {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
  const absentTables = CHAIN_TABLES.filter((t) => !tables.has(t));
  if (absentTables.length) return `the file has no ${absentTables.join(', ')} table: it is not a Hearth event log, or its counters were removed`;
  const columns = new Set((db.prepare('PRAGMA table_info(events)').all() as Array<{ name: string }>).map((c) => c.name));
  const absentColumns = CHAIN_COLUMNS.filter((c) => !columns.has(c));
  if (absentColumns.length) return `the events table has no ${absentColumns.join(', ')} column: there is no hash chain to check the events against`;
  const events = db.prepare('SELECT EXISTS (SELECT 1 FROM events) AS any').get() as { any: number };
  const hashed = db.prepare('SELECT EXISTS (SELECT 1 FROM events WHERE stream_hash IS NOT NULL OR log_hash IS NOT NULL) AS any').get() as { any: number };
  if (events.any && !hashed.any) return 'no event of the log carries a hash: there is no hash chain to check the events against';
  return undefined;
}

/**
 * `hearth verify` on a file (issue 11.6: verify opened the store, which re-chained a file whose hash columns had been
 * dropped after an edit, and then called it intact). The file is opened read-only and must exist; nothing is migrated
 * or chained here, so the evidence stays byte for byte as it was. A missing chain is "cannot check", never "intact".
 * Events without hashes inside a chained log stay a break (`unchained`): the store writes none.
 */
export async function verifyLogFile(file: string, options: VerifyIntegrityOptions = {}): Promise<FileVerification> {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return { checked: false, reason: `cannot open ${file} read-only: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    const missing = missingChain(db);
    if (missing) return { checked: false, reason: missing };
    return { checked: true, report: await verifyChain(db, options, () => undefined) };
  } catch (err) {
    // Not a database, or a schema the walk cannot read: nothing can be said about the chain.
    return { checked: false, reason: `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    db.close();
  }
}
