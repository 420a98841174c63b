import { z } from 'zod';

/**
 * Every environment variable Hearth reads, with its type, default and meaning: the one schema validated at
 * start (configFromEnv) and the source of the README's Configuration table (a test keeps the two equal).
 */
export interface VariableSpec {
  /** Validates the raw string (unset and empty values never reach it). */
  readonly schema: z.ZodType;
  /** What the README shows as the type. */
  readonly type: string;
  /** What the README shows as the default (`—`: none). */
  readonly default: string;
  readonly meaning: string;
  /** Never echoed in an error message. */
  readonly secret?: boolean;
}

const port = z.coerce.number({ error: 'an integer port 1–65535' }).int('an integer port 1–65535').min(1, 'an integer port 1–65535').max(65535, 'an integer port 1–65535');
const positiveInt = z.coerce.number({ error: 'a whole number ≥ 1' }).int('a whole number ≥ 1').min(1, 'a whole number ≥ 1');
const wholeNumber = z.coerce.number({ error: 'a whole number ≥ 0' }).int('a whole number ≥ 0').min(0, 'a whole number ≥ 0');
const flag = z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { error: 'one of true, false, 1, 0, yes, no, on, off' });
const text = z.string();
const queueName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a queue name of 1–64 of [A-Za-z0-9_.-] (BullMQ forbids ":")');
const redisUrl = z.string().regex(/^rediss?:\/\/[^\s]+$/, 'a redis:// or rediss:// URL');
const isoInstant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO 8601 instant, e.g. 2025-09-23T00:00:00Z');
/** The `ms` notation @nestjs/jwt accepts: `3600`, `12h`, `7d`, `90 minutes`. */
const duration = z.string().regex(/^\d+(\.\d+)?\s*[a-z]*$/i, 'a duration such as 3600, 12h or 7d');
const masterKey = z.string().refine((v) => Buffer.from(v.trim(), 'base64').length === 32, '32 random bytes, base64');

/** The rows of the table, in the order the README shows them. */
export const CONFIG_VARIABLES = {
  HEARTH_PORT: { schema: port, type: 'port', default: '`3000`', meaning: 'TCP port of the api' },
  PORT: { schema: port, type: 'port', default: '—', meaning: 'the api port when `HEARTH_PORT` is not set (container platforms set it)' },
  HEARTH_HOST: { schema: text, type: 'host', default: '`127.0.0.1`', meaning: 'address the api listens on' },
  HEARTH_TRUST_PROXY: {
    schema: z.string().regex(/^(\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, 'a hop count (e.g. 1) or comma-separated proxy addresses/CIDRs'),
    type: 'hops or addresses',
    default: '— (X-Forwarded-For ignored)',
    meaning: 'behind a reverse proxy (docker/proxy): trust its `X-Forwarded-For`, so sign-in lockouts and logs see the client address, not the proxy\'s',
  },
  HEARTH_DATA_DIR: { schema: text, type: 'path', default: '`./data`', meaning: "data folder (SQLite file, key store, generated JWT secret and master key, started Redis's folder)" },
  HEARTH_EVENT_STORE: {
    schema: z.enum(['sqlite', 'postgres', 'esdb'], { error: 'sqlite, postgres or esdb' }),
    type: '`sqlite` \\| `postgres` \\| `esdb`',
    default: '`sqlite` (`postgres` if `HEARTH_POSTGRES_URL` is set, `esdb` if `EVENTSTORE_CONNECTION_STRING` is)',
    meaning: 'event store adapter',
  },
  HEARTH_POSTGRES_URL: {
    schema: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// URL'),
    type: 'URL',
    default: '—',
    meaning: 'PostgreSQL for the event log and the key store (several hosts), e.g. `postgres://hearth:…@db:5432/hearth`',
    secret: true,
  },
  HEARTH_KEY_STORE: {
    schema: z.enum(['sqlite', 'postgres'], { error: 'sqlite or postgres' }),
    type: '`sqlite` \\| `postgres`',
    default: '`postgres` if `HEARTH_POSTGRES_URL` is set, else `sqlite`',
    meaning: 'where the crypto-shredding keys live: `postgres` so every host sees the same keys and erasures',
  },
  HEARTH_SQLITE_FILE: { schema: text, type: 'path', default: '`$HEARTH_DATA_DIR/hearth.sqlite`', meaning: 'the SQLite event log (WAL, synchronous=FULL)' },
  HEARTH_SQLITE_WRITER_THREAD: {
    schema: flag,
    type: 'boolean',
    default: '`true`',
    meaning: "commit appends on a writer thread with its own connection, so each group commit's fsync does not block the event loop",
  },
  HEARTH_KEYS_WRITER_THREAD: {
    schema: flag,
    type: 'boolean',
    default: '`true`',
    meaning: "the same for the key store's writes (new data keys, subject uses): command latency p99 below saturation ~63 → ~25 ms in A/B runs",
  },
  EVENTSTORE_CONNECTION_STRING: {
    schema: z.string().regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\/\S+$/, 'an esdb:// connection string'),
    type: 'URL',
    default: '—',
    meaning: 'e.g. `esdb://localhost:2113?tls=false`; also enables the EventStoreDB contract tests',
    secret: true,
  },
  REDIS_URL: { schema: redisUrl, type: 'URL', default: '`redis://127.0.0.1:6379`', meaning: 'Redis for read models, leases and BullMQ', secret: true },
  HEARTH_REDIS_PREFIX: {
    schema: z.string().regex(/^[A-Za-z0-9_.-]{1,32}:$/, 'up to 32 of [A-Za-z0-9_.-] followed by ":", e.g. hearth-b:'),
    type: 'string',
    default: '`hearth:`',
    meaning:
      'the deployment\'s prefix of every Redis key: read models, checkpoints, leases, and the BullMQ queues (`<prefix>bull`; `hearth-bull` for the default prefix), so several deployments can share one Redis',
  },
  HEARTH_JWT_SECRET: {
    schema: z.string().min(16, 'at least 16 characters'),
    type: 'secret',
    default: 'generated once into `data/jwt-secret` by `start.sh`',
    meaning: 'HS256 secret for bearer tokens (required, ≥ 16 chars)',
    secret: true,
  },
  HEARTH_JWT_TTL: { schema: duration, type: 'duration', default: '`12h`', meaning: 'lifetime of tokens printed by the CLI' },
  HEARTH_BLIND_INDEX_KEY: {
    schema: z.string().min(16, 'at least 16 characters'),
    type: 'secret',
    default: 'derived from `HEARTH_JWT_SECRET` (demo only)',
    meaning: 'HMAC key of the ID-number blind index that makes the hardship file id (one file per household); set it in production and never change it',
    secret: true,
  },
  HEARTH_MASTER_KEY: {
    schema: masterKey,
    type: 'secret (base64)',
    default: 'generated once into `data/master-key` by `start.sh`',
    meaning: '32 bytes, base64: wraps the per-subject data keys that encrypt personal fields (crypto-shredding); required; keep a copy apart from the data',
    secret: true,
  },
  HEARTH_KEYS_FILE: { schema: text, type: 'path', default: '`$HEARTH_DATA_DIR/keys.sqlite`', meaning: 'the durable key store (never Redis): erasing a subject deletes its keys here' },
  HEARTH_DEMO_PASSWORD: {
    schema: z.string().min(1, 'a password'),
    type: 'secret',
    default: '— (demo users get no password until `org import` sets one)',
    meaning: "demo users' password on a fresh log, and for users without one in `hearth org import` (checked against the password policy)",
    secret: true,
  },
  HEARTH_JURISDICTION: { schema: z.string().regex(/^[a-z0-9-]{1,40}$/, 'a rule-table id such as national or zhejiang'), type: 'string', default: '`national`', meaning: 'rule table for new cases (`national`, `zhejiang`)' },
  HEARTH_ORG_FILE: { schema: text, type: 'path', default: '`config/demo-org.json`', meaning: 'org tree and users' },
  HEARTH_RULES_FILE: {
    schema: text,
    type: 'path',
    default: '`config/local-rules.json` (none: national tables only)',
    meaning: 'local rule tables (`{ "tables": [...] }`: 低保 lines, local periods) merged over the national ones',
  },
  HEARTH_WEBHOOKS_FILE: {
    schema: text,
    type: 'path',
    default: '`config/webhooks.json` (no endpoints)',
    meaning:
      'alert webhooks per org unit: exponential backoff, `x-hearth-signature` HMAC header, status at `GET /alerts/{id}/deliveries`; delivery is **at-least-once**, receivers dedupe by `x-hearth-alert-id` (see the file)',
  },
  HEARTH_WEBHOOK_ATTEMPTS: { schema: positiveInt, type: 'integer', default: '`8` (or the file\'s `attempts`)', meaning: 'delivery attempts of one webhook before it counts as failed' },
  HEARTH_WEBHOOK_BACKOFF_MS: { schema: positiveInt, type: 'integer (ms)', default: '`2000` (or the file\'s `backoffMs`)', meaning: 'first retry delay of a webhook; doubles with each attempt' },
  HEARTH_WEBHOOK_QUEUE: { schema: queueName, type: 'queue name', default: '`hearth-webhooks`', meaning: 'BullMQ queue of webhook deliveries' },
  HEARTH_EMBEDDED_WORKER: { schema: flag, type: 'boolean', default: '`true`', meaning: 'run subscriptions and timers inside the api process' },
  HEARTH_DEADLINE_QUEUE: { schema: queueName, type: 'queue name', default: '`hearth-deadlines`', meaning: 'BullMQ queue of deadline timers' },
  HEARTH_COMMAND_RETRIES: { schema: wholeNumber, type: 'integer', default: '`5`', meaning: 'retries of a command on a concurrent append' },
  HEARTH_CLOCK_SPEED: {
    schema: z.coerce.number({ error: 'a number > 0' }).positive('a number > 0'),
    type: 'number',
    default: '`1`',
    meaning: 'domain ms per real ms: an accelerated domain clock for demos and tests (e.g. 86400: a day per second); all processes must share the three clock variables',
  },
  HEARTH_CLOCK_START: { schema: isoInstant, type: 'ISO instant', default: 'now', meaning: 'domain time at the clock\'s anchor' },
  HEARTH_CLOCK_REAL_START: { schema: wholeNumber, type: 'epoch ms', default: 'now', meaning: 'real time of the clock\'s anchor' },
  HEARTH_TEST_CLOCK: {
    schema: z.enum(['redis'], { error: 'redis (or unset)' }),
    type: '`redis`',
    default: '— (the clock above)',
    meaning: 'tests only: a controlled clock shared through the deployment\'s Redis, advanced by the test',
  },
  HEARTH_TEST_CLOCK_KEY: { schema: text, type: 'string', default: '`hearth-test:clock`', meaning: 'tests only: the Redis key of that clock' },
  HEARTH_LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'one of fatal, error, warn, info, debug, trace, silent' }),
    type: 'pino level',
    default: '`info`',
    meaning: 'log level; access logs (method, route, status, duration, user, correlation id) are at `info`; request bodies and tokens are never logged',
  },
  HEARTH_METRICS_TOKEN: {
    schema: z.string().min(16, 'at least 16 characters'),
    type: 'secret',
    default: '— (`/metrics` refused)',
    meaning: 'bearer token of `GET /metrics` (Prometheus), for operators only; without it `/metrics` answers 403',
    secret: true,
  },
  HEARTH_WORKER_METRICS_PORT: {
    schema: port,
    type: 'port',
    default: '— (none)',
    meaning: 'a separate worker (`npm run start:worker`) serves `GET /metrics` here, on `HEARTH_HOST`, behind the same token: its timer, alert and webhook metrics',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: z.string().regex(/^https?:\/\/\S+$/, 'an http(s) URL of an OTLP/HTTP collector'),
    type: 'URL',
    default: '— (no tracing)',
    meaning: 'OpenTelemetry: export traces over OTLP/HTTP (JSON) to this collector (e.g. `http://otel-collector:4318`); spans of HTTP, Redis and PostgreSQL; trace and span ids in the log lines written inside a span',
  },
  OTEL_SERVICE_NAME: { schema: text, type: 'string', default: '`hearth`', meaning: 'service name of the traces (e.g. `hearth-api`, `hearth-worker`)' },
  HEARTH_READY_MAX_LAG: {
    schema: wholeNumber,
    type: 'integer (events)',
    default: '`10000`',
    meaning: 'how far a subscription (read models, deadlines) may trail the log before `/health/ready` answers 503',
  },
  HEARTH_READY_TIMEOUT_MS: {
    schema: positiveInt,
    type: 'integer (ms)',
    default: '`500`',
    meaning: 'time each readiness check (event store, Redis) gets before it counts as down, so `/health/ready` answers within 1 s',
  },
} satisfies Record<string, VariableSpec>;

export type ConfigVariable = keyof typeof CONFIG_VARIABLES;
