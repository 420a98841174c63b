import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainHead, IntegrityReport, SqliteEventStore, VerifyIntegrityOptions } from '@hearth/event-store';
import { canonicalEvent, GENESIS, logLink, streamLink } from '@hearth/event-store/sqlite/hash-chain';
import { newEvent } from './event-store.contract';

/**
 * Tamper evidence of the SQLite store: a pristine log of 30 events over three interleaved streams (a, b, c: the
 * event at position p belongs to stream ['a','b','c'][(p-1) % 3], revision floor((p-1)/3)) is copied, changed
 * directly in the file with better-sqlite3 (as an attacker with file access would), and verified.
 */
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-chain-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const STREAMS = ['petition-aaaa', 'mediation-bbbb', 'hardship-cccc'];
const streamAt = (p: number) => STREAMS[(p - 1) % 3];
const revisionAt = (p: number) => Math.floor((p - 1) / 3);

let pristine: string;
let pristineHead: ChainHead;

beforeAll(async () => {
  pristine = join(tempDir(), 'pristine.db');
  const store = new SqliteEventStore({ file: pristine });
  for (let p = 1; p <= 30; p++) {
    const s = streamAt(p);
    const r = revisionAt(p);
    await store.append(s, [newEvent(`E${p}`, { n: p, note: `第${p}号事件` })], r === 0 ? 'no_stream' : r - 1);
  }
  pristineHead = (await store.headHash())!;
  await store.close();
});

function copyOfPristine(): string {
  const file = join(tempDir(), 'events.db');
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(pristine + suffix)) copyFileSync(pristine + suffix, file + suffix);
  return file;
}

/** Copy the pristine file, change it with a raw connection, then verify it with the store. */
async function tampered(change: (db: Database.Database) => void, options?: VerifyIntegrityOptions): Promise<IntegrityReport> {
  const file = copyOfPristine();
  const raw = new Database(file);
  try {
    change(raw);
  } finally {
    raw.close();
  }
  const store = new SqliteEventStore({ file });
  try {
    return await store.verifyIntegrity(options);
  } finally {
    await store.close();
  }
}

interface Row {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
  stream_hash: string;
  log_hash: string;
}

/** Recompute the hashes of every event from `from` on, exactly as the store would (a careful attacker). */
function rehashFrom(db: Database.Database, from: number): void {
  const rows = db.prepare('SELECT * FROM events ORDER BY position').all() as Row[];
  const streamHeads = new Map<string, string>();
  let log = GENESIS;
  for (const r of rows) {
    const canonical = canonicalEvent({
      streamId: r.stream_id,
      revision: r.revision,
      position: r.position,
      eventId: r.event_id,
      type: r.type,
      data: r.data,
      metadata: r.metadata,
      recordedAt: r.recorded_at,
    });
    const sh = r.position >= from ? streamLink(streamHeads.get(r.stream_id) ?? GENESIS, canonical) : r.stream_hash;
    const lh = r.position >= from ? logLink(log, canonical, r.position) : r.log_hash;
    db.prepare('UPDATE events SET stream_hash = ?, log_hash = ? WHERE position = ?').run(sh, lh, r.position);
    streamHeads.set(r.stream_id, sh);
    log = lh;
  }
}

function swapPositions(db: Database.Database, a: number, b: number): void {
  db.transaction(() => {
    db.prepare('UPDATE events SET position = -1 WHERE position = ?').run(a);
    db.prepare('UPDATE events SET position = ? WHERE position = ?').run(a, b);
    db.prepare('UPDATE events SET position = ? WHERE position = -1').run(b);
  })();
}

describe('SqliteEventStore hash chain', () => {
  it('an untouched log verifies; the head is the last event\'s log hash and matches a kept head', async () => {
    const report = await tampered(() => undefined, { expectedHead: pristineHead });
    expect(report).toEqual({
      ok: true,
      checkedEvents: 30,
      checkedStreams: 3,
      head: pristineHead,
      checkedAgainstHead: true,
    });
    expect(pristineHead.position).toBe(30);
    expect(pristineHead.logHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores the documented chain: stream_hash and log_hash recompute from the stored columns', () => {
    const raw = new Database(pristine, { readonly: true });
    try {
      const rows = raw.prepare('SELECT * FROM events ORDER BY position').all() as Row[];
      const heads = new Map<string, string>();
      let log = GENESIS;
      for (const r of rows) {
        const canonical = canonicalEvent({ streamId: r.stream_id, revision: r.revision, position: r.position, eventId: r.event_id, type: r.type, data: r.data, metadata: r.metadata, recordedAt: r.recorded_at });
        expect(JSON.parse(canonical)).toMatchObject({ streamId: r.stream_id, position: r.position, data: JSON.parse(r.data) });
        expect(r.stream_hash).toBe(streamLink(heads.get(r.stream_id) ?? GENESIS, canonical));
        expect(r.log_hash).toBe(logLink(log, canonical, r.position));
        heads.set(r.stream_id, r.stream_hash);
        log = r.log_hash;
      }
      expect(log).toBe(pristineHead.logHash);
    } finally {
      raw.close();
    }
  });

  it('(a) an edited event\'s data is pinpointed: edited, at its position, stream and revision', async () => {
    const report = await tampered((db) => db.prepare("UPDATE events SET data = json_set(data, '$.n', 999) WHERE position = 14").run());
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'edited', position: 14, streamId: streamAt(14), revision: revisionAt(14) });
    expect(report.checkedEvents).toBe(13);
    expect(report.head?.position).toBe(13);
  });

  it('(a) even a whitespace-only change of the stored JSON is an edit', async () => {
    const report = await tampered((db) => db.prepare("UPDATE events SET data = ' ' || data WHERE position = 3").run());
    expect(report.break).toMatchObject({ kind: 'edited', position: 3 });
  });

  it('(b) a deleted event is pinpointed: deleted, at the missing position', async () => {
    const middle = await tampered((db) => db.prepare('DELETE FROM events WHERE position = 15').run());
    expect(middle.break).toMatchObject({ kind: 'deleted', position: 15 });
    expect(middle.break!.detail).toMatch(/position 15 is missing/);

    const first = await tampered((db) => db.prepare('DELETE FROM events WHERE position = 1').run());
    expect(first.break).toMatchObject({ kind: 'deleted', position: 1 });

    // Deleted, and every later event renumbered to close the gap (sequence fixed too).
    const renumbered = await tampered((db) => {
      db.prepare('DELETE FROM events WHERE position = 10').run();
      for (let p = 11; p <= 30; p++) db.prepare('UPDATE events SET position = ? WHERE position = ?').run(p - 1, p);
      db.prepare("UPDATE sqlite_sequence SET seq = 29 WHERE name = 'events'").run();
    });
    expect(renumbered.break).toMatchObject({ kind: 'deleted', position: 10 });
  });

  it('(c) two events swapped are pinpointed: reordered, at the first of them, naming where it belongs', async () => {
    // Far apart: stream b's revision 6 now comes before its revisions 3..5.
    const apart = await tampered((db) => swapPositions(db, 10, 20));
    expect(apart.break).toMatchObject({ kind: 'reordered', position: 10, streamId: streamAt(20), revision: revisionAt(20) });
    expect(apart.break!.detail).toMatch(/before revision 3 at position 11/);

    // Revision order intact (streams a and c, rev 3 each): the moved event's own hash says where it was recorded.
    const near = await tampered((db) => swapPositions(db, 10, 12));
    expect(near.break).toMatchObject({ kind: 'reordered', position: 10, streamId: streamAt(12), revision: revisionAt(12) });
    expect(near.break!.detail).toMatch(/recorded at position 12/);

    // Two events of one stream: its revisions run backwards.
    const sameStream = await tampered((db) => swapPositions(db, 4, 7));
    expect(sameStream.break).toMatchObject({ kind: 'reordered', position: 4, streamId: streamAt(4), revision: revisionAt(7) });

    // Adjacent events of different streams.
    const adjacent = await tampered((db) => swapPositions(db, 21, 22));
    expect(adjacent.break).toMatchObject({ kind: 'reordered', position: 21 });
  });

  it('(d) edited metadata (who did it) is pinpointed like edited data', async () => {
    const report = await tampered((db) =>
      db.prepare("UPDATE events SET metadata = json_set(metadata, '$.actorId', 'head.city') WHERE position = 5").run(),
    );
    expect(report.break).toMatchObject({ kind: 'edited', position: 5, streamId: streamAt(5), revision: revisionAt(5) });
  });

  it('(e) a truncated tail: found by the store\'s own counters; a careful truncation only against a kept head', async () => {
    const naive = await tampered((db) => db.prepare('DELETE FROM events WHERE position > 25').run());
    expect(naive.break).toMatchObject({ kind: 'truncated', position: 26 });
    expect(naive.head?.position).toBe(25);

    const careful = (db: Database.Database) => {
      db.prepare('DELETE FROM events WHERE position > 25').run();
      db.prepare("UPDATE sqlite_sequence SET seq = 25 WHERE name = 'events'").run();
      db.prepare('UPDATE streams SET last_revision = (SELECT MAX(revision) FROM events e WHERE e.stream_id = streams.stream_id)').run();
    };
    // Without a head kept elsewhere the shorter log is internally consistent: this is the documented limit.
    expect((await tampered(careful)).ok).toBe(true);
    const withHead = await tampered(careful, { expectedHead: pristineHead });
    expect(withHead).toMatchObject({ ok: false, checkedAgainstHead: true, break: { kind: 'truncated', position: 26 } });
  });

  it('an event rewritten with freshly computed hashes shows at the next link; a rewritten tail only against a kept head', async () => {
    const one = await tampered((db) => {
      db.prepare("UPDATE events SET data = json_set(data, '$.n', -1) WHERE position = 12").run();
      const r = db.prepare('SELECT * FROM events WHERE position = 12').get() as Row;
      const prevStream = (db.prepare('SELECT stream_hash FROM events WHERE stream_id = ? AND revision = ?').get(r.stream_id, r.revision - 1) as Row).stream_hash;
      const prevLog = (db.prepare('SELECT log_hash FROM events WHERE position = 11').get() as Row).log_hash;
      const c = canonicalEvent({ streamId: r.stream_id, revision: r.revision, position: 12, eventId: r.event_id, type: r.type, data: r.data, metadata: r.metadata, recordedAt: r.recorded_at });
      db.prepare('UPDATE events SET stream_hash = ?, log_hash = ? WHERE position = 12').run(streamLink(prevStream, c), logLink(prevLog, c, 12));
    });
    expect(one.break).toMatchObject({ kind: 'edited', position: 12 });
    expect(one.break!.detail).toMatch(/rewritten and re-hashed/);

    const rewrite = (db: Database.Database) => {
      db.prepare("UPDATE events SET data = json_set(data, '$.n', -1) WHERE position = 12").run();
      rehashFrom(db, 12);
    };
    expect((await tampered(rewrite)).ok).toBe(true);
    expect((await tampered(rewrite, { expectedHead: pristineHead })).break).toMatchObject({ kind: 'edited', position: 30 });
  });

  it('a changed hash column alone is pinpointed', async () => {
    const report = await tampered((db) => db.prepare("UPDATE events SET log_hash = ? WHERE position = 8").run('f'.repeat(64)));
    expect(report.break).toMatchObject({ kind: 'edited', position: 8 });
  });

  it('a forged event is reported as inserted (in the middle with renumbering, or at the end)', async () => {
    const forge = (db: Database.Database, position: number) =>
      db
        .prepare(
          'INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at, stream_hash, log_hash) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(position, 'petition-forged', 'forged-id', 'PetitionClosed', '{}', '{}', new Date().toISOString(), 'a'.repeat(64), 'b'.repeat(64));
    const atEnd = await tampered((db) => forge(db, 31));
    expect(atEnd.break).toMatchObject({ kind: 'inserted', position: 31, streamId: 'petition-forged' });

    const inMiddle = await tampered((db) => {
      for (let p = 30; p >= 16; p--) db.prepare('UPDATE events SET position = ? WHERE position = ?').run(p + 1, p);
      forge(db, 16);
    });
    expect(inMiddle.break).toMatchObject({ kind: 'inserted', position: 16 });
  });

  it('an event without hashes is reported as unchained (never silently re-hashed on open)', async () => {
    const report = await tampered((db) => db.prepare('UPDATE events SET stream_hash = NULL, log_hash = NULL WHERE position = 20').run());
    expect(report.break).toMatchObject({ kind: 'unchained', position: 20 });
  });

  it('events of a stream deleted from its end are found through the streams table', async () => {
    // Stream c's last event is position 30; deleting stream b's last event (29) leaves a gap → deleted 29.
    const report = await tampered((db) => {
      db.prepare('DELETE FROM events WHERE position = 29').run();
      db.prepare('UPDATE events SET position = 29 WHERE position = 30').run();
      rehashFrom(db, 29);
      db.prepare("UPDATE sqlite_sequence SET seq = 29 WHERE name = 'events'").run();
    });
    expect(report.break).toMatchObject({ kind: 'deleted', streamId: streamAt(29), revision: revisionAt(29) });
  });

  it('verify walks a large log in pages while appends go on; the chain stays intact across group commits', async () => {
    const file = copyOfPristine();
    const store = new SqliteEventStore({ file });
    try {
      const burst = (n: number, tag: string) =>
        Promise.all(Array.from({ length: n }, (_, i) => store.append(`petition-${tag}-${i % 50}`, [newEvent('Live', { i })], 'any')));
      await burst(5000, 'before');
      // The walk yields between pages of 2,000 events: the second burst commits in between.
      const during = store.verifyIntegrity();
      const appended = burst(300, 'during');
      const report = await during;
      await appended;
      expect(report.ok).toBe(true);
      expect(report.checkedEvents).toBeGreaterThanOrEqual(5030);
      const after = await store.verifyIntegrity({ expectedHead: pristineHead });
      expect(after).toMatchObject({ ok: true, checkedEvents: 5330, checkedStreams: 103 });
      expect(after.head).toEqual(await store.headHash());
    } finally {
      await store.close();
    }
  });
});

describe('SqliteEventStore schema migration (version 1 → 2)', () => {
  const V1_SCHEMA = `
    CREATE TABLE events (
      position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
      event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
      recorded_at TEXT NOT NULL, UNIQUE (stream_id, revision));
    CREATE TABLE streams (stream_id TEXT PRIMARY KEY, last_revision INTEGER NOT NULL) WITHOUT ROWID;`;

  function legacyFile(): string {
    const file = join(tempDir(), 'legacy.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(V1_SCHEMA);
    const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < 12; i++) {
      const e = newEvent(`Old${i}`, { i });
      insert.run(`petition-old${i % 4}`, Math.floor(i / 4), e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), new Date().toISOString());
    }
    for (let s = 0; s < 4; s++) db.prepare('INSERT INTO streams VALUES (?, 2)').run(`petition-old${s}`);
    db.close();
    return file;
  }

  it('adds the hash columns, chains existing events from the first one, and goes on chaining new appends', async () => {
    const file = legacyFile();
    const a = new SqliteEventStore({ file });
    const b = new SqliteEventStore({ file }); // a second process opening the same file: migrates nothing twice
    try {
      const raw = new Database(file, { readonly: true });
      expect(raw.pragma('user_version', { simple: true })).toBe(2);
      expect(raw.prepare('SELECT COUNT(*) AS n FROM events WHERE log_hash IS NULL OR stream_hash IS NULL').get()).toEqual({ n: 0 });
      raw.close();
      expect(await a.verifyIntegrity()).toMatchObject({ ok: true, checkedEvents: 12, checkedStreams: 4 });
      await a.append('petition-old1', [newEvent('New')], 2);
      await b.append('petition-new', [newEvent('New')], 'no_stream');
      expect(await b.verifyIntegrity()).toMatchObject({ ok: true, checkedEvents: 14, checkedStreams: 5 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const db = new Database(file);
    db.prepare("UPDATE events SET type = 'Forged' WHERE position = 6").run();
    db.close();
    const c = new SqliteEventStore({ file });
    try {
      expect((await c.verifyIntegrity()).break).toMatchObject({ kind: 'edited', position: 6, streamId: 'petition-old1', revision: 1 });
    } finally {
      await c.close();
    }
  });
});
