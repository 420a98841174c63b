import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Actor, DecisionContext, defaultCalendar } from '@hearth/domain';
import { EventStore, hearthUpcasters, SqliteEventStore, UpcastingEventStore } from '@hearth/event-store';
import type { Clock } from '@hearth/platform/clock/clock';
import { CommandRunner } from '@hearth/platform/commands/command-runner';
import type { HearthConfig } from '@hearth/platform/config/hearth-config';
import { ruleBookFor } from '@hearth/platform/hearth-core.module';
import { OrgRegistry } from '@hearth/platform/org/org-data';
import { EncryptingEventStore, hearthPersonalDataPolicy, PersonalDataCipher, SqliteKeyStore } from '@hearth/platform/pii';

export const ROOT = resolve(__dirname, '../..');
export const BLIND_KEY = 'privacy-test-blind-index-key-0123456789';

export class TestClock implements Clock {
  readonly speed = 1;
  constructor(private t = Date.parse('2025-11-03T02:00:00Z')) {}
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.t);
  }
  realDelayUntil(): number {
    return 0;
  }
}

export const who = (role: Actor['role'], unit: string): Actor => ({ id: `${role}.${unit}`, role, orgUnit: unit });

/**
 * The stores exactly as hearth-core.module composes them, on temp files: the raw SQLite log, the key store, the
 * application's store (upcasting ∘ encrypting ∘ raw), the projections' store (upcasting ∘ raw), and a command runner.
 */
export interface PrivacyEnv {
  dir: string;
  logFile: string;
  keysFile: string;
  masterKey: Buffer;
  raw: SqliteEventStore;
  keys: SqliteKeyStore;
  cipher: PersonalDataCipher;
  store: EventStore;
  projectionStore: EventStore;
  runner: CommandRunner;
  contextFor(actor: Actor, now: string): DecisionContext;
  org: OrgRegistry;
  config: HearthConfig;
  clock: TestClock;
  /** Raw bytes of a database file and its WAL. */
  fileBytes(file: string): Buffer;
  /** Every row of the events table, as stored. */
  rawRows(): unknown[];
  close(): Promise<void>;
}

export function setupPrivacy(options: { keyWriterThread?: boolean } = {}): PrivacyEnv {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-privacy-'));
  const logFile = join(dir, 'hearth.sqlite');
  const keysFile = join(dir, 'keys.sqlite');
  const masterKey = randomBytes(32);
  const raw = new SqliteEventStore({ file: logFile, pollIntervalMs: 10 });
  const keys = new SqliteKeyStore({ file: keysFile, masterKey, writerThread: options.keyWriterThread });
  const cipher = new PersonalDataCipher(keys, hearthPersonalDataPolicy(BLIND_KEY));
  const store = new UpcastingEventStore(new EncryptingEventStore(raw, cipher), hearthUpcasters());
  const projectionStore = new UpcastingEventStore(raw, hearthUpcasters());
  const org = OrgRegistry.fromFile(join(ROOT, 'config/demo-org.json'));
  const config = { blindIndexKey: BLIND_KEY, rulesFile: join(ROOT, 'config/local-rules.json'), jurisdiction: 'national' } as HearthConfig;
  const rules = ruleBookFor(config);
  const calendar = defaultCalendar();
  const clock = new TestClock();
  const contextFor = (actor: Actor, now: string): DecisionContext => ({ actor, now, calendar, rules, org: org.directory, jurisdiction: 'national' });
  const runner = new CommandRunner(store, contextFor, clock);
  return {
    dir,
    logFile,
    keysFile,
    masterKey,
    raw,
    keys,
    cipher,
    store,
    projectionStore,
    runner,
    contextFor,
    org,
    config,
    clock,
    fileBytes: (file) => Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f))),
    rawRows: () => {
      const db = new Database(logFile, { readonly: true });
      try {
        return db.prepare('SELECT * FROM events ORDER BY position').all();
      } finally {
        db.close();
      }
    },
    async close() {
      await raw.close();
      await keys.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
