import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** One receiver of alerts: an org unit's own system (e.g. a district's duty desk). */
export interface WebhookEndpoint {
  /** Stable id: part of the job id and of the delivery status ([A-Za-z0-9_-]). */
  id: string;
  /** Alerts addressed to this unit (and, with `scope: 'subtree'`, to any unit below it) are delivered. */
  orgUnit: string;
  scope: 'unit' | 'subtree';
  url: string;
  /** HMAC-SHA256 key of the signature header. */
  secret: string;
  /** Only these alert kinds (default: all). */
  kinds?: string[];
}

export interface WebhookSettings {
  endpoints: WebhookEndpoint[];
  /** Attempts per delivery, the first included. Default 8. */
  attempts: number;
  /** Base of the exponential backoff between attempts, in real ms (1×, 2×, 4×, …). Default 2000. */
  backoffMs: number;
  /** Per-attempt timeout, real ms. Default 10 000. */
  timeoutMs: number;
  /** BullMQ queue name. Default `hearth-webhooks`. */
  queueName: string;
}

interface WebhookFile {
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
  endpoints?: Array<Omit<WebhookEndpoint, 'secret' | 'scope'> & { secret?: string; secretEnv?: string; scope?: 'unit' | 'subtree' }>;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Webhook endpoints and their secrets per org unit, from `HEARTH_WEBHOOKS_FILE` (default `config/webhooks.json`; no
 * file = no webhooks). A secret is given inline (`secret`, demos only) or, better, as the name of an environment
 * variable (`secretEnv`). Unknown org units and missing secrets are configuration errors (refused at start).
 */
export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, knownUnit: (id: string) => boolean = () => true): WebhookSettings {
  const file = env.HEARTH_WEBHOOKS_FILE ? resolve(env.HEARTH_WEBHOOKS_FILE) : findUp('config/webhooks.json', __dirname);
  const raw: WebhookFile = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as WebhookFile) : {};
  const endpoints = (raw.endpoints ?? []).map((e) => {
    const secret = e.secret ?? (e.secretEnv ? env[e.secretEnv] : undefined);
    if (!ID.test(e.id ?? '')) throw new Error(`webhook endpoint id ${String(e.id)}: use 1–64 of [A-Za-z0-9_-]`);
    if (!knownUnit(e.orgUnit)) throw new Error(`webhook endpoint ${e.id}: unknown org unit ${e.orgUnit}`);
    if (!/^https?:\/\//.test(e.url ?? '')) throw new Error(`webhook endpoint ${e.id}: url must be http(s)`);
    if (!secret || secret.length < 16) throw new Error(`webhook endpoint ${e.id}: a secret of at least 16 characters is required (secret or secretEnv)`);
    return { id: e.id, orgUnit: e.orgUnit, scope: e.scope ?? 'unit', url: e.url, secret, ...(e.kinds ? { kinds: e.kinds } : {}) } satisfies WebhookEndpoint;
  });
  if (new Set(endpoints.map((e) => e.id)).size !== endpoints.length) throw new Error('webhook endpoint ids must be unique');
  return {
    endpoints,
    attempts: Number(env.HEARTH_WEBHOOK_ATTEMPTS ?? raw.attempts ?? 8),
    backoffMs: Number(env.HEARTH_WEBHOOK_BACKOFF_MS ?? raw.backoffMs ?? 2000),
    timeoutMs: Number(raw.timeoutMs ?? 10_000),
    queueName: env.HEARTH_WEBHOOK_QUEUE ?? 'hearth-webhooks',
  };
}

function findUp(relative: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
