import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Every setting Hearth reads, from the environment (README "Configuration" lists them). */
export interface HearthConfig {
  port: number;
  host: string;
  dataDir: string;
  eventStore: 'sqlite' | 'esdb';
  sqliteFile: string;
  /** Commit SQLite appends on a writer thread (the fsync off the event loop). */
  sqliteWriterThread: boolean;
  /** Commit the key store's writes on a writer thread too. */
  keysWriterThread: boolean;
  esdbConnectionString?: string;
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
  jwtTtl: string;
  /** Key of the keyed hash (HMAC-SHA256) over ID numbers: the blind index behind one-file-per-household. */
  blindIndexKey: string;
  /** HEARTH_MASTER_KEY (32 bytes, base64): wraps the per-subject data keys of crypto-shredding; checked when the key store opens. */
  masterKey?: string;
  /** The key store (HEARTH_KEYS_FILE, default `<data>/keys.sqlite`): durable, never Redis. */
  keysFile: string;
  jurisdiction: string;
  orgFile: string;
  /** Local rule tables (低保 lines, local periods) merged into the national ones. */
  rulesFile: string;
  /** Run the worker (subscriptions + timers) inside the api process. */
  embeddedWorker: boolean;
  deadlineQueue: string;
  commandRetries: number;
  logLevel: string;
}

export const HEARTH_CONFIG = Symbol('HEARTH_CONFIG');

const bool = (v: string | undefined, dflt: boolean) => (v === undefined || v === '' ? dflt : ['1', 'true', 'yes', 'on'].includes(v.toLowerCase()));

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): HearthConfig {
  const dataDir = resolve(env.HEARTH_DATA_DIR ?? 'data');
  const eventStore = (env.HEARTH_EVENT_STORE ?? (env.EVENTSTORE_CONNECTION_STRING ? 'esdb' : 'sqlite')) as HearthConfig['eventStore'];
  if (eventStore !== 'sqlite' && eventStore !== 'esdb') throw new Error(`HEARTH_EVENT_STORE must be sqlite or esdb, not ${String(eventStore)}`);
  if (eventStore === 'esdb' && !env.EVENTSTORE_CONNECTION_STRING) throw new Error('HEARTH_EVENT_STORE=esdb needs EVENTSTORE_CONNECTION_STRING');
  const jwtSecret = env.HEARTH_JWT_SECRET ?? '';
  if (jwtSecret.length < 16) throw new Error('HEARTH_JWT_SECRET must be set to at least 16 characters (scripts/start.sh generates one into data/)');
  return {
    port: Number(env.HEARTH_PORT ?? env.PORT ?? 3000),
    host: env.HEARTH_HOST ?? '127.0.0.1',
    dataDir,
    eventStore,
    sqliteFile: resolve(env.HEARTH_SQLITE_FILE ?? `${dataDir}/hearth.sqlite`),
    sqliteWriterThread: bool(env.HEARTH_SQLITE_WRITER_THREAD, true),
    keysWriterThread: bool(env.HEARTH_KEYS_WRITER_THREAD, true),
    esdbConnectionString: env.EVENTSTORE_CONNECTION_STRING,
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: env.HEARTH_REDIS_PREFIX ?? 'hearth:',
    jwtSecret,
    jwtTtl: env.HEARTH_JWT_TTL ?? '12h',
    // Fallback for demos only: derived from the JWT secret, so rotating that secret would change every
    // hardship file id; deployments set HEARTH_BLIND_INDEX_KEY and never change it.
    blindIndexKey: env.HEARTH_BLIND_INDEX_KEY || createHmac('sha256', jwtSecret).update('hearth-blind-index-v1').digest('base64url'),
    masterKey: env.HEARTH_MASTER_KEY || undefined,
    keysFile: resolve(env.HEARTH_KEYS_FILE ?? `${dataDir}/keys.sqlite`),
    jurisdiction: env.HEARTH_JURISDICTION ?? 'national',
    orgFile: env.HEARTH_ORG_FILE ? resolve(env.HEARTH_ORG_FILE) : findUp('config/demo-org.json', __dirname),
    rulesFile: env.HEARTH_RULES_FILE ? resolve(env.HEARTH_RULES_FILE) : findUp('config/local-rules.json', __dirname),
    embeddedWorker: bool(env.HEARTH_EMBEDDED_WORKER, true),
    deadlineQueue: env.HEARTH_DEADLINE_QUEUE ?? 'hearth-deadlines',
    commandRetries: Number(env.HEARTH_COMMAND_RETRIES ?? 5),
    logLevel: env.HEARTH_LOG_LEVEL ?? 'info',
  };
}

/** The demo org data ships in the repository's `config/`; find it from wherever the code runs (src or dist). */
function findUp(relative: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return resolve(relative);
  }
}
