import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_VARIABLES, ConfigVariable, VariableSpec } from './config-variables';

/** Every setting Hearth reads, from the environment (schema: config-variables.ts; README "Configuration" lists them). */
export interface HearthConfig {
  port: number;
  host: string;
  dataDir: string;
  eventStore: 'sqlite' | 'postgres' | 'esdb';
  /** HEARTH_POSTGRES_URL: the log and the key store on PostgreSQL. */
  postgresUrl?: string;
  /** Where the key store lives (`postgres`: shared by every host). */
  keyStore: 'sqlite' | 'postgres';
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
  /** BullMQ key prefix of every queue of this deployment (derived from redisPrefix). */
  bullPrefix: string;
  /** Bearer token of GET /metrics; unset: /metrics is refused. */
  metricsToken?: string;
  /** Port of the separate worker's GET /metrics; unset: none. */
  workerMetricsPort?: number;
  /** Events a subscription may trail the log head before /health/ready fails. */
  readyMaxLag: number;
  /** Budget of each readiness probe (ms). */
  readyTimeoutMs: number;
}

export const HEARTH_CONFIG = Symbol('HEARTH_CONFIG');

/**
 * Fastify's `trustProxy` from HEARTH_TRUST_PROXY: a hop count or the proxies' addresses. Read alone, before the app
 * (and its configuration provider) exists, because the HTTP server is made first.
 */
export function trustProxyFromEnv(env: NodeJS.ProcessEnv = process.env): number | string | undefined {
  const raw = env.HEARTH_TRUST_PROXY;
  if (raw === undefined || raw === '') return undefined;
  const r = CONFIG_VARIABLES.HEARTH_TRUST_PROXY.schema.safeParse(raw);
  if (!r.success) throw new ConfigError([{ variable: 'HEARTH_TRUST_PROXY', message: `expected ${r.error.issues[0]?.message}, got ${JSON.stringify(raw.slice(0, 80))}` }]);
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

/** The BullMQ prefix of a deployment: under its Redis prefix; the default prefix keeps the historical `hearth-bull`. */
export const bullPrefixFor = (redisPrefix: string): string => (redisPrefix === 'hearth:' ? 'hearth-bull' : `${redisPrefix}bull`);

/** A variable that fails the schema: the message names every such variable (never a secret's value). */
export class ConfigError extends Error {
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(`invalid configuration (see README "Configuration"):\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Parsed = { [K in ConfigVariable]?: string | number };

/** Validates every variable of CONFIG_VARIABLES that is set (an empty value counts as unset). */
export function parseEnv(env: NodeJS.ProcessEnv = process.env): Parsed {
  const out: Parsed = {};
  const problems: { variable: string; message: string }[] = [];
  for (const [name, spec] of Object.entries(CONFIG_VARIABLES) as [ConfigVariable, VariableSpec][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const r = spec.schema.safeParse(raw);
    if (r.success) out[name] = r.data as string | number;
    else problems.push({ variable: name, message: `expected ${r.error.issues[0]?.message ?? spec.type}${spec.secret ? '' : `, got ${JSON.stringify(raw.slice(0, 80))}`}` });
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const bool = (v: string | number | undefined, dflt: boolean): boolean => (v === undefined ? dflt : TRUE.has(String(v).toLowerCase()));

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): HearthConfig {
  const v = parseEnv(env);
  const str = (k: ConfigVariable): string | undefined => (v[k] === undefined ? undefined : String(v[k]));
  const dataDir = resolve(str('HEARTH_DATA_DIR') ?? 'data');
  const postgresUrl = str('HEARTH_POSTGRES_URL');
  const eventStore = (str('HEARTH_EVENT_STORE') ?? (postgresUrl ? 'postgres' : v.EVENTSTORE_CONNECTION_STRING ? 'esdb' : 'sqlite')) as HearthConfig['eventStore'];
  if (eventStore === 'esdb' && !v.EVENTSTORE_CONNECTION_STRING) throw new ConfigError([{ variable: 'HEARTH_EVENT_STORE', message: 'esdb needs EVENTSTORE_CONNECTION_STRING' }]);
  if (eventStore === 'postgres' && !postgresUrl) throw new ConfigError([{ variable: 'HEARTH_EVENT_STORE', message: 'postgres needs HEARTH_POSTGRES_URL' }]);
  const keyStore = (str('HEARTH_KEY_STORE') ?? (postgresUrl ? 'postgres' : 'sqlite')) as HearthConfig['keyStore'];
  if (keyStore === 'postgres' && !postgresUrl) throw new ConfigError([{ variable: 'HEARTH_KEY_STORE', message: 'postgres needs HEARTH_POSTGRES_URL' }]);
  const jwtSecret = str('HEARTH_JWT_SECRET') ?? '';
  if (!jwtSecret) throw new ConfigError([{ variable: 'HEARTH_JWT_SECRET', message: 'required, at least 16 characters (scripts/start.sh generates one into data/)' }]);
  const redisPrefix = str('HEARTH_REDIS_PREFIX') ?? 'hearth:';
  return {
    port: Number(v.HEARTH_PORT ?? v.PORT ?? 3000),
    host: str('HEARTH_HOST') ?? '127.0.0.1',
    dataDir,
    eventStore,
    postgresUrl,
    keyStore,
    sqliteFile: resolve(str('HEARTH_SQLITE_FILE') ?? `${dataDir}/hearth.sqlite`),
    sqliteWriterThread: bool(v.HEARTH_SQLITE_WRITER_THREAD, true),
    keysWriterThread: bool(v.HEARTH_KEYS_WRITER_THREAD, true),
    esdbConnectionString: str('EVENTSTORE_CONNECTION_STRING'),
    redisUrl: str('REDIS_URL') ?? 'redis://127.0.0.1:6379',
    redisPrefix,
    bullPrefix: bullPrefixFor(redisPrefix),
    jwtSecret,
    jwtTtl: str('HEARTH_JWT_TTL') ?? '12h',
    // Fallback for demos only: derived from the JWT secret, so rotating that secret would change every
    // hardship file id; deployments set HEARTH_BLIND_INDEX_KEY and never change it.
    blindIndexKey: str('HEARTH_BLIND_INDEX_KEY') ?? createHmac('sha256', jwtSecret).update('hearth-blind-index-v1').digest('base64url'),
    masterKey: str('HEARTH_MASTER_KEY'),
    keysFile: resolve(str('HEARTH_KEYS_FILE') ?? `${dataDir}/keys.sqlite`),
    jurisdiction: str('HEARTH_JURISDICTION') ?? 'national',
    orgFile: v.HEARTH_ORG_FILE ? resolve(String(v.HEARTH_ORG_FILE)) : findUp('config/demo-org.json', __dirname),
    rulesFile: v.HEARTH_RULES_FILE ? resolve(String(v.HEARTH_RULES_FILE)) : findUp('config/local-rules.json', __dirname),
    embeddedWorker: bool(v.HEARTH_EMBEDDED_WORKER, true),
    deadlineQueue: str('HEARTH_DEADLINE_QUEUE') ?? 'hearth-deadlines',
    commandRetries: Number(v.HEARTH_COMMAND_RETRIES ?? 5),
    logLevel: str('HEARTH_LOG_LEVEL') ?? 'info',
    metricsToken: str('HEARTH_METRICS_TOKEN'),
    workerMetricsPort: v.HEARTH_WORKER_METRICS_PORT === undefined ? undefined : Number(v.HEARTH_WORKER_METRICS_PORT),
    readyMaxLag: Number(v.HEARTH_READY_MAX_LAG ?? 10_000),
    readyTimeoutMs: Number(v.HEARTH_READY_TIMEOUT_MS ?? 500),
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
