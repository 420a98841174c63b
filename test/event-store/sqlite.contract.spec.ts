import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RecordedEvent, SqliteEventStore, WrongExpectedRevisionError } from '@hearth/event-store';
import {
  ExternalWriter,
  ExternalWriterSpec,
  freshStream,
  newEvent,
  runEventStoreContract,
  sleep,
  waitFor,
} from './event-store.contract';

const REPO_ROOT = resolve(__dirname, '../..');
const ADAPTER = join(REPO_ROOT, 'libs/event-store/src/sqlite/sqlite-event-store.ts');

/**
 * A writer in a separate OS process: plain `node -e`, compiling the adapter's TypeScript on the fly with the
 * installed `typescript` (transpile only), opening the same database file and appending with exact revisions.
 */
const CHILD_WRITER = `
const fs = require('fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(out.outputText, filename);
};
const { randomUUID } = require('crypto');
const { SqliteEventStore } = require(process.env.ADAPTER);
(async () => {
  const store = new SqliteEventStore({ file: process.env.DB_FILE });
  const streams = JSON.parse(process.env.STREAMS);
  const total = Number(process.env.EVENTS);
  const revision = new Map(streams.map((s) => [s, -1]));
  process.stdout.write('READY\\n');
  let written = 0, round = 0;
  while (written < total) {
    const s = streams[round % streams.length];
    const n = Math.min(total - written, 1 + (round % 4));
    const events = Array.from({ length: n }, (_, i) => ({
      id: randomUUID(), type: 'External', data: { round, i, pid: process.pid },
      metadata: { actorId: 'child', role: 'system', orgUnit: 'ou', occurredAt: new Date().toISOString(),
        commandId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID(), schemaVersion: 1 },
    }));
    const cur = revision.get(s);
    const r = await store.append(s, events, cur === -1 ? 'no_stream' : cur);
    if (!r.written || r.nextRevision !== cur + n) throw new Error('unexpected append result ' + JSON.stringify(r));
    revision.set(s, cur + n);
    written += n;
    round++;
    if (round % 3 === 0) await new Promise((r) => setImmediate(r));
  }
  await store.close();
  process.stdout.write('DONE\\n');
})().catch((err) => { console.error(err); process.exit(1); });
`;

function childWriter(file: string, spec: ExternalWriterSpec): ExternalWriter {
  const child = spawn(process.execPath, ['-e', CHILD_WRITER], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ADAPTER,
      DB_FILE: file,
      STREAMS: JSON.stringify(spec.streams),
      EVENTS: String(spec.events),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('READY')) markReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<void>((resolveDone, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      markReady();
      if (code === 0 && out.includes('DONE')) resolveDone();
      else reject(new Error(`child writer exited with ${code}: ${err || out}`));
    });
  });
  return { ready, done };
}

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-es-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

runEventStoreContract('SqliteEventStore', async () => {
  const dir = tempDir();
  const file = join(dir, 'events.db');
  const store = new SqliteEventStore({ file });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    externalWriter: (spec) => childWriter(file, spec),
  };
});

// The same contract with commits on a writer thread (what the api and worker use: HEARTH_SQLITE_WRITER_THREAD).
runEventStoreContract('SqliteEventStore with a writer thread', async () => {
  const dir = tempDir();
  const file = join(dir, 'events.db');
  const store = new SqliteEventStore({ file, writerThread: true });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    externalWriter: (spec) => childWriter(file, spec),
  };
});

describe('SqliteEventStore specifics', () => {
  it('creates the parent folder and schema; an empty store has head -1 and no events', async () => {
    const file = join(tempDir(), 'nested', 'deeper', 'events.db');
    const store = new SqliteEventStore({ file });
    try {
      expect(await store.headPosition()).toBe(-1);
      expect(await store.readAll()).toEqual([]);
      expect(await store.readAll({ direction: 'backwards' })).toEqual([]);
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
      expect(tables).toEqual(expect.arrayContaining([{ name: 'events' }, { name: 'streams' }]));
    } finally {
      raw.close();
    }
  });

  it('keeps data across close and reopen, and continues revisions and positions', async () => {
    const file = join(tempDir(), 'events.db');
    const s = freshStream();
    const first = new SqliteEventStore({ file });
    await first.append(s, [newEvent('A'), newEvent('B')], 'no_stream');
    const before = await first.readStream(s);
    const head = await first.headPosition();
    await first.close();
    await expect(first.readStream(s)).rejects.toThrow(/closed/);

    const second = new SqliteEventStore({ file });
    try {
      expect(await second.readStream(s)).toEqual(before);
      expect(await second.headPosition()).toBe(head);
      const r = await second.append(s, [newEvent('C')], 1);
      expect(r).toMatchObject({ written: true, nextRevision: 2 });
      expect(r.position).toBeGreaterThan(head);
      await expect(second.append(s, [newEvent('D')], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      // A retried command is recognised after a restart too.
      expect((await second.append(s, [{ ...newEvent('A'), id: before[0].id }], 'no_stream')).written).toBe(false);
    } finally {
      await second.close();
    }
  });

  it('two instances on one file ("two processes") see each other\'s appends through subscription polling', async () => {
    const file = join(tempDir(), 'events.db');
    const a = new SqliteEventStore({ file, pollIntervalMs: 20 });
    const b = new SqliteEventStore({ file, pollIntervalMs: 20 });
    try {
      const s = freshStream();
      const seenByA: RecordedEvent[] = [];
      const seenByB: RecordedEvent[] = [];
      const subA = a.subscribeToAll(async (batch) => void seenByA.push(...batch));
      const subB = b.subscribeToAll(async (batch) => void seenByB.push(...batch));

      await b.append(s, [newEvent('fromB')], 'no_stream');
      await waitFor(() => seenByA.length === 1, 'A to see B\'s append', 5_000);
      await a.append(s, [newEvent('fromA')], 0);
      await waitFor(() => seenByB.length === 2, 'B to see A\'s append', 5_000);

      // The expected-revision check spans instances: B's view of the stream is not cached.
      await expect(b.append(s, [newEvent('stale')], 0)).rejects.toMatchObject({ actual: 1 });
      await sleep(60);
      expect(seenByA.map((e) => e.type)).toEqual(['fromB', 'fromA']);
      expect(seenByB).toEqual(seenByA);
      await Promise.all([subA.stop(), subB.stop()]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuses an event id that is already stored in another stream', async () => {
    const store = new SqliteEventStore({ file: join(tempDir(), 'events.db') });
    try {
      const e = newEvent('A');
      await store.append(freshStream(), [e], 'no_stream');
      await expect(store.append(freshStream(), [e], 'no_stream')).rejects.toThrow(/already stored in stream/);
    } finally {
      await store.close();
    }
  });

  it('waits for another connection\'s write lock without blocking the event loop, up to busyTimeoutMs', async () => {
    const file = join(tempDir(), 'events.db');
    const store = new SqliteEventStore({ file, busyTimeoutMs: 3_000 });
    const impatient = new SqliteEventStore({ file, busyTimeoutMs: 100 });
    const other = new Database(file);
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 5);
      const s = freshStream();
      const pending = store.append(s, [newEvent('A')], 'no_stream');
      await expect(impatient.append(freshStream(), [newEvent('B')], 'any')).rejects.toMatchObject({
        code: 'SQLITE_BUSY',
      });
      await sleep(150);
      other.prepare('COMMIT').run();
      const r = await pending;
      clearInterval(ticker);
      expect(r).toMatchObject({ written: true, nextRevision: 0 });
      expect(ticks).toBeGreaterThan(10); // timers kept firing while the append waited
    } finally {
      other.close();
      await Promise.all([store.close(), impatient.close()]);
    }
  });

  it('close() stops running subscriptions', async () => {
    const store = new SqliteEventStore({ file: join(tempDir(), 'events.db') });
    const sub = store.subscribeToAll(async () => undefined);
    await store.close();
    await expect(sub.done).resolves.toBeUndefined();
  });
});
