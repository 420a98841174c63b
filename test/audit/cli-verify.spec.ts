import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '@hearth/event-store';
import { newEvent } from '../event-store/event-store.contract';

/**
 * `hearth verify` as an operator runs it: the CLI's source through ts-node (no build needed), against a SQLite file;
 * exit 0 intact, 1 broken (with the break pinpointed on stdout), 2 cannot check.
 */
const ROOT = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'hearth-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hearth(...args: string[]) {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cli/src/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), HEARTH_JWT_SECRET: '' },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let original: string;

beforeAll(async () => {
  original = join(dir, 'original.db');
  const store = new SqliteEventStore({ file: original });
  for (let i = 0; i < 12; i++) await store.append(`petition-cli${i % 3}`, [newEvent('E', { i })], 'any');
  await store.close();
});

const copy = (name: string, change?: (db: Database.Database) => void): string => {
  const file = join(dir, name);
  copyFileSync(original, file);
  if (change) {
    const db = new Database(file);
    change(db);
    db.close();
  }
  return file;
};

describe('hearth verify', () => {
  it('exit 0 on an intact log, printing the head to keep; exit 1 with the break pinpointed; exit 2 when it cannot check', () => {
    const ok = hearth('verify', '--file', copy('ok.db'));
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    const m = /^OK: 12 events in 3 streams verified; head (12:[0-9a-f]{64})$/m.exec(ok.out);
    expect(m).not.toBeNull();
    const head = m![1];

    const edited = hearth('verify', '--file', copy('edited.db', (db) => db.prepare("UPDATE events SET data = '{\"i\":99}' WHERE position = 7").run()));
    expect(edited.code).toBe(1);
    expect(edited.out).toMatch(/^BROKEN: edited at position 7, stream petition-cli0, revision 2, event [0-9a-f-]{36}$/m);
    expect(edited.out).toMatch(/6 events verified before the break/);

    // Cut off the end carefully (counters fixed): only the kept head shows it.
    const cut = copy('cut.db', (db) => {
      db.prepare('DELETE FROM events WHERE position > 10').run();
      db.prepare("UPDATE sqlite_sequence SET seq = 10 WHERE name = 'events'").run();
      db.prepare('UPDATE streams SET last_revision = (SELECT MAX(revision) FROM events e WHERE e.stream_id = streams.stream_id)').run();
    });
    expect(hearth('verify', '--file', cut).code).toBe(0);
    const truncated = hearth('verify', '--file', cut, '--head', head, '--json');
    expect(truncated.code).toBe(1);
    expect(JSON.parse(truncated.out)).toMatchObject({ ok: false, checkedAgainstHead: true, break: { kind: 'truncated', position: 11 } });

    expect(hearth('verify', '--file', join(dir, 'missing.db')).code).toBe(2);
    expect(hearth('verify', '--file', copy('ok2.db'), '--head', 'nonsense').code).toBe(2);
  }, 120_000);

  it('opens the file read-only: a log whose chain was removed after an edit is "cannot check" (exit 2), byte for byte unchanged (issue 11.6)', () => {
    const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    const columns = (f: string) => {
      const db = new Database(f, { readonly: true });
      const names = (db.prepare('PRAGMA table_info(events)').all() as Array<{ name: string }>).map((c) => c.name);
      db.close();
      return names;
    };

    // Edit an event, then drop the hash columns: opening the store would chain the edited log afresh.
    const dropped = copy('dropped.db', (db) => {
      db.prepare("UPDATE events SET data = '{\"i\":99}' WHERE position = 7").run();
      db.exec('ALTER TABLE events DROP COLUMN stream_hash; ALTER TABLE events DROP COLUMN log_hash;');
    });
    const before = sha(dropped);
    const r = hearth('verify', '--file', dropped);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^CANNOT CHECK: the events table has no stream_hash, log_hash column/m);
    expect(sha(dropped)).toBe(before);
    expect(columns(dropped)).not.toContain('log_hash');
    const json = hearth('verify', '--file', dropped, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, checked: false });
    expect(sha(dropped)).toBe(before);

    // Hashes wiped instead of columns dropped: no chain either.
    const wiped = copy('wiped.db', (db) => db.prepare('UPDATE events SET stream_hash = NULL, log_hash = NULL').run());
    const wipedSha = sha(wiped);
    expect(hearth('verify', '--file', wiped).code).toBe(2);
    expect(sha(wiped)).toBe(wipedSha);

    // An intact log is verified without being written to either; a file that is no database cannot be checked.
    const intact = copy('intact.db');
    const intactSha = sha(intact);
    expect(hearth('verify', '--file', intact).code).toBe(0);
    expect(sha(intact)).toBe(intactSha);
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all, just text '.repeat(200));
    expect(hearth('verify', '--file', junk).code).toBe(2);
    expect(readFileSync(junk, 'utf8')).toBe('not a database at all, just text '.repeat(200));
  }, 120_000);
});
