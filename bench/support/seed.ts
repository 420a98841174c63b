import Database from 'better-sqlite3';
import { NestFactory } from '@nestjs/core';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor, defaultCalendar, DecisionContext, DomainEvent } from '@hearth/domain';
import { EVENT_STORE, EventStore, NewEvent, eventIdFor } from '@hearth/event-store';
import { Clock, CommandRunner, CURRENT_SCHEMA_VERSION, configFromEnv, HearthCoreModule, OrgRegistry, ruleBookFor } from '@hearth/platform';

/** Secrets of every Hearth process the bench starts (and of the seeding context, which must read what they write). */
export const BENCH_SECRET = 'bench-secret-bench-secret-0123456789';
export const BENCH_MASTER_KEY = Buffer.alloc(32, 9).toString('base64');

/** Decision context as Hearth builds it (hearth-core.module): the real calendar, rule book and demo org tree. */
export function contextFactory(): (actor: Actor, now: string) => DecisionContext {
  const config = configFromEnv({ ...process.env, HEARTH_JWT_SECRET: BENCH_SECRET });
  const calendar = defaultCalendar();
  const rules = ruleBookFor(config);
  const org = OrgRegistry.fromFile(config.orgFile);
  return (actor, now) => ({ actor, now, calendar, rules, org: org.directory, jurisdiction: config.jurisdiction });
}

/** A clock the seeder moves by hand (domain time of each seeded command). */
export class ManualClock implements Clock {
  readonly speed = 1;
  nowMs = Date.now();
  now(): Date {
    return new Date(this.nowMs);
  }
  realDelayUntil(at: string | Date): number {
    return Math.max(0, new Date(at).getTime() - this.nowMs);
  }
}

/** Hearth's own command path (CommandRunner: load → decide → append with full metadata) at a manual clock. */
export function seedRunner(store: EventStore, clock: ManualClock): CommandRunner {
  return new CommandRunner(store, contextFactory(), clock, 0, 50_000);
}

/** Events decided outside the runner (e.g. with an edited due time), with the metadata the runner writes. */
export function withMetadata(events: DomainEvent[], actor: Actor, now: string, commandId: string, cause: string): NewEvent[] {
  return events.map((e, i) => ({
    id: eventIdFor(commandId, i),
    type: e.type,
    data: e.data,
    metadata: {
      actorId: actor.id,
      role: actor.role,
      orgUnit: actor.orgUnit,
      occurredAt: now,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      cause,
    },
  }));
}

/** The environment of a Hearth process on `dataDir` (also what the seeding context reads). */
export function hearthEnv(dataDir: string, redisUrl: string): Record<string, string> {
  return { HEARTH_JWT_SECRET: BENCH_SECRET, HEARTH_MASTER_KEY: BENCH_MASTER_KEY, HEARTH_DATA_DIR: dataDir, REDIS_URL: redisUrl };
}

/**
 * The event store exactly as a Hearth process wires it (HearthCoreModule's EVENT_STORE: the SQLite adapter with
 * whatever wrappers Hearth puts around it — upcasting, personal-data encryption with its key store), for a data
 * folder, in this process.
 */
export async function openHearthStore(dataDir: string, redisUrl: string): Promise<{ store: EventStore; close: () => Promise<void> }> {
  const saved = { ...process.env };
  Object.assign(process.env, hearthEnv(dataDir, redisUrl), { HEARTH_LOG_LEVEL: 'warn' });
  try {
    const app = await NestFactory.createApplicationContext(HearthCoreModule, { logger: ['error', 'warn'] });
    return { store: app.get<EventStore>(EVENT_STORE), close: () => app.close() };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/**
 * Writes a log through Hearth's own store wiring (so the files have exactly Hearth's schema, hashes, encryption and
 * JSON) in a data folder on a RAM disk when there is one — seeding is set-up, not what is measured, and a million
 * fsyncs would take minutes — then copies the closed files (event log, key store) into `targetDir` on disk.
 */
export async function seedLog<T>(targetDir: string, redisUrl: string, fill: (store: EventStore) => Promise<T>): Promise<T> {
  const ram = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(ram, 'hearth-bench-seed-'));
  try {
    const { store, close } = await openHearthStore(dir, redisUrl);
    const seqIndex = seedIndex(join(dir, 'keys.sqlite'));
    let result: T;
    try {
      result = await fill(store);
    } finally {
      await close();
      seqIndex.drop();
    }
    for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(targetDir, f));
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Hearth's key store takes `MAX(seq)` over every data key for each new subject, a full scan with no index (see the
 * bench report): seeding 100,000 cases that way would take hours. While seeding, an index on that column makes it a
 * lookup; it is dropped before the files are copied, so Hearth runs on exactly the files it would have written.
 */
function seedIndex(keysFile: string): { drop: () => void } {
  if (!existsSync(keysFile)) return { drop: () => undefined };
  const db = new Database(keysFile);
  try {
    db.exec('CREATE INDEX IF NOT EXISTS bench_seed_seq ON data_keys (seq)');
  } catch {
    db.close(); // another schema: seed without it (slower)
    return { drop: () => undefined };
  }
  return {
    drop: () => {
      db.exec('DROP INDEX IF EXISTS bench_seed_seq');
      db.close();
    },
  };
}
