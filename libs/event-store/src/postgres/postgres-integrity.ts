import type { Pool, PoolClient } from 'pg';
import type { ChainHead, IntegrityBreak, IntegrityReport, VerifyIntegrityOptions } from '../event-store.port';
import { canonicalEvent, GENESIS, logLink, streamLink } from '../sqlite/hash-chain';
import { toPosition } from './postgres-rows';
import { withClient } from './pooled-client';

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

type Query = Pick<PoolClient, 'query'>;

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at, stream_hash, log_hash';
const PAGE = 2000;
/** How far (in positions) a moved event's original position is searched for. Only runs once a break is found. */
const MOVE_SEARCH = 100_000;

const canonicalAt = (r: ChainRow, position: number): string =>
  canonicalEvent({ streamId: r.stream_id, revision: r.revision, position, eventId: r.event_id, type: r.type, data: r.data, metadata: r.metadata, recordedAt: r.recorded_at });

type RawChainRow = Omit<ChainRow, 'position' | 'revision'> & { position: string; revision: string };
const parse = (r: RawChainRow): ChainRow => ({ ...r, position: toPosition(r.position), revision: toPosition(r.revision) });

/**
 * The verifier of PostgresEventStore: the walk of the SQLite verifier (sqlite/integrity.ts, which documents how each
 * kind of break is told apart) over the PostgreSQL tables, with `log_head.position` (the last position ever assigned)
 * in the role of SQLite's AUTOINCREMENT sequence. Pages are read without a transaction while appends go on; the
 * final catch-up and the counter checks run in one REPEATABLE READ transaction, so they see one snapshot.
 */
export async function verifyPostgresChain(pool: Pool, options: VerifyIntegrityOptions, assertOpen: () => void): Promise<IntegrityReport> {
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

  const page = async (db: Query, after: number, n: number): Promise<ChainRow[]> =>
    (await db.query<RawChainRow>(`SELECT ${COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`, [after, n])).rows.map(parse);
  const sequence = async (db: Query): Promise<number> => toPosition((await db.query<{ position: string }>('SELECT position FROM log_head WHERE id = 1')).rows[0]?.position ?? '0');

  const linksTo = (q: ChainRow | undefined, prevHash: string, at: number): boolean =>
    !!q && q.log_hash !== null && logLink(prevHash, canonicalAt(q, at), at) === q.log_hash;

  const originalPosition = (r: ChainRow, prevStreamHash: string, seq: number): number | undefined => {
    const top = Math.max(seq, r.position) + MOVE_SEARCH;
    for (let d = 1; d <= MOVE_SEARCH; d++) {
      for (const x of [r.position - d, r.position + d]) {
        if (x < 1 || x > top) continue;
        if (streamLink(prevStreamHash, canonicalAt(r, x)) === r.stream_hash) return x;
      }
    }
    return undefined;
  };

  const check = async (db: Query, r: ChainRow): Promise<IntegrityBreak | undefined> => {
    const at = { position: r.position, streamId: r.stream_id, revision: r.revision, eventId: r.event_id };
    const where = `position ${r.position} (stream ${r.stream_id}, revision ${r.revision})`;
    if (r.stream_hash === null || r.log_hash === null) return { kind: 'unchained', ...at, detail: `the event at ${where} has no hash: it was written outside the chain` };
    const tip = streams.get(r.stream_id);
    const expectedRevision = tip ? tip.revision + 1 : 0;
    const prevStreamHash = tip ? tip.hash : GENESIS;
    const canonical = canonicalAt(r, r.position);
    const contentMatches = streamLink(prevStreamHash, canonical) === r.stream_hash;
    const logOk = logLink(prevLog, canonical, r.position) === r.log_hash;
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
      return { kind: 'reordered', ...at, detail: `revision ${r.revision} of stream ${r.stream_id} is at position ${r.position}, after revision ${tip!.revision} at position ${tip!.position}` };
    if (r.revision > expectedRevision) {
      const moved = (await db.query<{ position: string }>('SELECT position FROM events WHERE stream_id = $1 AND revision = $2', [r.stream_id, expectedRevision])).rows[0];
      return moved
        ? { kind: 'reordered', ...at, detail: `revision ${r.revision} of stream ${r.stream_id} is at position ${r.position}, before revision ${expectedRevision} at position ${moved.position}` }
        : {
            kind: 'deleted',
            position: r.position,
            streamId: r.stream_id,
            revision: expectedRevision,
            detail: `revision${expectedRevision === r.revision - 1 ? ` ${expectedRevision} is` : `s ${expectedRevision}..${r.revision - 1} are`} of stream ${r.stream_id} missing (the stream continues at ${where})`,
          };
    }
    const [q] = await page(db, r.position, 1);
    if (contentMatches) {
      if (linksTo(q, r.log_hash, q?.position ?? 0))
        return { kind: 'edited', position: prevPosition, detail: `the event at position ${prevPosition} was rewritten and re-hashed: the chain at ${where} links to a different hash` };
      return { kind: 'edited', ...at, detail: `the log hash of the event at ${where} was changed` };
    }
    const listed = (await db.query<{ last_revision: string }>('SELECT last_revision FROM streams WHERE stream_id = $1', [r.stream_id])).rows[0];
    if (!listed || r.revision > toPosition(listed.last_revision))
      return { kind: 'inserted', ...at, detail: `the event at ${where} is not part of the chain, and the streams table does not know it` };
    const x = originalPosition(r, prevStreamHash, await sequence(db));
    if (x !== undefined) {
      const shift = x - r.position;
      if (q && linksTo(q, r.log_hash, q.position + shift))
        return shift > 0
          ? { kind: 'deleted', ...at, detail: `${shift} event(s) before ${where} were deleted and the later events renumbered (this event was recorded at position ${x})` }
          : { kind: 'inserted', position: x, detail: `${-shift} event(s) were inserted at position ${x} and the later events renumbered (the event now at ${where} was recorded at position ${x})` };
      return { kind: 'reordered', ...at, detail: `the event at ${where} was recorded at position ${x}` };
    }
    if (q && (linksTo(q, prevLog, q.position) || linksTo(q, prevLog, q.position - 1)))
      return { kind: 'inserted', ...at, detail: `the event at ${where} is not part of the chain: the next event links to the one before it` };
    return { kind: 'edited', ...at, detail: `the event at ${where} does not match its hashes: its data, metadata, type, ids or time were changed` };
  };

  const walk = async (db: Query, rows: readonly ChainRow[]): Promise<IntegrityBreak | undefined> => {
    for (const r of rows) {
      const brk = await check(db, r);
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

  for (;;) {
    assertOpen();
    const rows = await page(pool, prevPosition, PAGE);
    const brk = await walk(pool, rows);
    if (brk) return report(brk);
    if (rows.length < PAGE) break;
  }

  assertOpen();
  const final = await withClient(pool, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await finalChecks(client);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  });
  if (final) return report(final);

  async function finalChecks(db: PoolClient): Promise<IntegrityBreak | undefined> {
    for (;;) {
      const rows = await page(db, prevPosition, PAGE);
      const brk = await walk(db, rows);
      if (brk) return brk;
      if (rows.length < PAGE) break;
    }
    const seq = await sequence(db);
    if (seq > prevPosition)
      return {
        kind: 'truncated',
        position: prevPosition + 1,
        detail: `the log ends at position ${prevPosition} but positions up to ${seq} were assigned: ${seq - prevPosition} event(s) were removed from the end`,
      };
    const listed = new Set<string>();
    const table = await db.query<{ stream_id: string; last_revision: string }>('SELECT stream_id, last_revision FROM streams');
    for (const s of table.rows) {
      const lastRevision = toPosition(s.last_revision);
      listed.add(s.stream_id);
      const tip = streams.get(s.stream_id);
      const last = tip ? tip.revision : -1;
      if (lastRevision > last)
        return {
          kind: 'deleted',
          position: tip ? tip.position + 1 : prevPosition + 1,
          streamId: s.stream_id,
          revision: last + 1,
          detail: `stream ${s.stream_id} has revisions up to ${lastRevision}, but the log ends it at ${last}`,
        };
      if (lastRevision < last)
        return { kind: 'inserted', position: tip!.position, streamId: s.stream_id, revision: last, detail: `stream ${s.stream_id} has revisions up to ${lastRevision}, but the log holds revision ${last}` };
    }
    for (const id of streams.keys())
      if (!listed.has(id)) return { kind: 'inserted', position: streams.get(id)!.position, streamId: id, detail: `stream ${id} is in the log but not in the streams table` };
    return undefined;
  }

  if (expected) {
    if (expected.position > prevPosition)
      return report({ kind: 'truncated', position: prevPosition + 1, detail: `the log ends at position ${prevPosition}, before the kept head at position ${expected.position}` });
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
