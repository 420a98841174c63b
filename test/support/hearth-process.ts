import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import Redis from 'ioredis';
import { testClockKeys } from '@hearth/platform/clock/redis-test-clock';
import { TestRedis, freePort } from './redis-server';

const ROOT = resolve(__dirname, '../..');
const API_MAIN = join(ROOT, 'dist/apps/api/src/main.js');
const WORKER_MAIN = join(ROOT, 'dist/apps/worker/src/main.js');

export interface HearthOptions {
  /** Run the worker as its own process (default) or inside the api. */
  separateWorker?: boolean;
  /** Domain ms per real ms. */
  clockSpeed?: number;
  /** Domain time at start (ISO). */
  clockStart?: string;
  /** The clock's anchor lies this far in the future, so domain time is `clockStart` right when the test begins. */
  clockAnchorDelayMs?: number;
  /**
   * Domain time stands still at `clockStart` and moves only through `advanceClock`, the same for every process of
   * this deployment (HEARTH_TEST_CLOCK=redis): dates do not depend on the machine's speed. `clockSpeed` is ignored.
   */
  controlledClock?: boolean;
  env?: Record<string, string>;
}

/**
 * A real Hearth deployment for e2e tests: its own redis-server, its own SQLite file, the built api and worker
 * as child processes (so tests can kill -9 and restart them), sharing one accelerated clock.
 */
export class HearthUnderTest {
  readonly secret = 'e2e-secret-e2e-secret-e2e';
  private api?: ChildProcess;
  private worker?: ChildProcess;
  /** Controlled clock only: the domain time every process must use (epoch ms), and the test's own Redis client. */
  private clockMs?: number;
  private clockRedis?: Redis;
  private readonly clockKey = 'hearth-test:clock';
  private readonly jwt = new JwtService({ secret: this.secret });
  readonly logs: string[] = [];
  /** Real epoch ms at which domain time equals the clock start. */
  anchor = 0;

  /** Wait until the clock's anchor (see `clockAnchorDelayMs`). */
  async untilAnchor(): Promise<void> {
    const wait = this.anchor - Date.now();
    if (wait > 0) await sleep(wait);
  }

  private constructor(
    readonly redis: TestRedis,
    readonly dataDir: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly separateWorker: boolean,
  ) {}

  static async start(options: HearthOptions = {}): Promise<HearthUnderTest> {
    if (!existsSync(API_MAIN)) throw new Error('build first: npm run build (scripts/test.sh does)');
    const redis = await TestRedis.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
    const port = await freePort();
    const separate = options.separateWorker ?? true;
    const clockEnv: Record<string, string> = options.controlledClock
      ? { HEARTH_TEST_CLOCK: 'redis', HEARTH_TEST_CLOCK_KEY: 'hearth-test:clock' }
      : {
          HEARTH_CLOCK_SPEED: String(options.clockSpeed ?? 1),
          HEARTH_CLOCK_START: options.clockStart ?? new Date().toISOString(),
          HEARTH_CLOCK_REAL_START: String(Date.now() + (options.clockAnchorDelayMs ?? 0)),
        };
    const env: Record<string, string> = {
      HEARTH_JWT_SECRET: 'e2e-secret-e2e-secret-e2e',
      HEARTH_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      HEARTH_DATA_DIR: dataDir,
      HEARTH_PORT: String(port),
      REDIS_URL: redis.url,
      HEARTH_EMBEDDED_WORKER: separate ? 'false' : 'true',
      HEARTH_LOG_LEVEL: 'warn',
      ...clockEnv,
      ...options.env,
    };
    const h = new HearthUnderTest(redis, dataDir, port, env, separate);
    if (options.controlledClock) {
      h.clockMs = Date.parse(options.clockStart ?? new Date().toISOString());
      if (Number.isNaN(h.clockMs)) throw new Error(`clockStart ${options.clockStart} is not an instant`);
      h.clockRedis = new Redis(redis.url, { maxRetriesPerRequest: null });
    } else {
      h.anchor = Number(env.HEARTH_CLOCK_REAL_START);
    }
    try {
      await h.startApi();
      if (separate) await h.startWorker();
    } catch (err) {
      // Nothing left running (processes, Redis, the clock's client) when the deployment could not start.
      await h.stop().catch(() => undefined);
      throw err;
    }
    return h;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private spawnNode(main: string, name: string): ChildProcess {
    const p = spawn(process.execPath, [main], { cwd: ROOT, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.logs.push(`[${name}] ${d.toString()}`);
      if (this.logs.length > 500) this.logs.shift();
    };
    p.stdout?.on('data', keep);
    p.stderr?.on('data', keep);
    return p;
  }

  /** Domain time now (controlled clock: what the test last set; otherwise computed from the accelerated clock's anchor). */
  now(): Date {
    if (this.clockMs !== undefined) return new Date(this.clockMs);
    const speed = Number(this.env.HEARTH_CLOCK_SPEED);
    return new Date(Date.parse(this.env.HEARTH_CLOCK_START) + (Date.now() - this.anchor) * speed);
  }

  /**
   * Controlled clock only: moves domain time forward (to an instant, or by days/ms) and returns once every running
   * process (api, worker) has acknowledged the new time. Timers now due fire after this; wait for their effects with
   * `eventually`.
   */
  async advanceClock(to: string | Date | { days?: number; ms?: number }): Promise<Date> {
    if (this.clockMs === undefined || !this.clockRedis) throw new Error('advanceClock needs HearthUnderTest.start({ controlledClock: true })');
    const target =
      typeof to === 'string' || to instanceof Date ? new Date(to).getTime() : this.clockMs + (to.days ?? 0) * 86_400_000 + (to.ms ?? 0);
    if (Number.isNaN(target)) throw new Error(`advanceClock: ${String(to)} is not an instant`);
    if (target < this.clockMs) throw new Error(`advanceClock: ${new Date(target).toISOString()} is before ${new Date(this.clockMs).toISOString()}`);
    this.clockMs = target;
    const keys = testClockKeys(this.clockKey);
    await this.clockRedis.set(keys.value, String(target));
    await this.clockRedis.publish(keys.channel, String(target));
    await this.untilClockSeen();
    return new Date(target);
  }

  /** Waits until every live process has acknowledged the current controlled time (re-announcing it meanwhile). */
  private async untilClockSeen(): Promise<void> {
    const keys = testClockKeys(this.clockKey);
    const value = String(this.clockMs);
    await this.eventually(
      async () => {
        const pids = [this.api, this.worker].filter((p) => p && p.exitCode === null && p.signalCode === null).map((p) => String(p!.pid));
        const seen = await this.clockRedis!.hmget(keys.seen, ...pids);
        if (seen.every((v) => v === value)) return true;
        // A process that subscribed late, or reconnected after a Redis restart, hears it now.
        await this.clockRedis!.publish(keys.channel, value);
        return false;
      },
      60_000,
      'every process to acknowledge the controlled clock',
    );
  }

  /** Before a process starts: the key holds the current controlled time (Redis may have been restarted empty). */
  private async writeClock(): Promise<void> {
    if (this.clockMs === undefined || !this.clockRedis) return;
    await this.clockRedis.set(testClockKeys(this.clockKey).value, String(this.clockMs));
  }

  async startApi(): Promise<void> {
    await this.writeClock();
    this.api = this.spawnNode(API_MAIN, 'api');
    const deadline = Date.now() + 120_000; // generous: a busy machine starts Nest slowly
    for (;;) {
      if (this.api.exitCode !== null) throw new Error(`api exited (${this.api.exitCode}):\n${this.logs.join('')}`);
      try {
        if ((await fetch(`${this.baseUrl}/health`)).ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`api did not start:\n${this.logs.join('')}`);
      await sleep(100);
    }
  }

  async startWorker(): Promise<void> {
    await this.writeClock();
    this.worker = this.spawnNode(WORKER_MAIN, 'worker');
    if (this.clockMs !== undefined) {
      // The worker has read the controlled clock (it does so while starting): a condition, not a duration.
      const worker = this.worker;
      await this.eventually(async () => {
        if (worker.exitCode !== null) throw new Error(`worker exited:\n${this.logs.join('')}`);
        return (await this.clockRedis!.hget(testClockKeys(this.clockKey).seen, String(worker.pid))) === String(this.clockMs);
      }, 60_000, 'the worker to start');
      return;
    }
    await sleep(300);
    if (this.worker.exitCode !== null) throw new Error(`worker exited:\n${this.logs.join('')}`);
  }

  /** kill -9, as a crash would. */
  async killWorker(): Promise<void> {
    await killHard(this.worker);
    this.worker = undefined;
  }

  async killApi(): Promise<void> {
    await killHard(this.api);
    this.api = undefined;
  }

  token(userId: string): string {
    const [role, ...unit] = userId.split('.');
    return this.jwt.sign({ sub: userId, role, org: unit.join('.') });
  }

  async request(userId: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(userId ? { authorization: `Bearer ${this.token(userId)}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  }

  /** Poll until `check` returns a truthy value (read models are eventually consistent). */
  async eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.logs.slice(-30).join('')}`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([killHard(this.api), killHard(this.worker)]);
    this.clockRedis?.disconnect();
    await this.redis.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A Server-Sent Events client over fetch: collects `data:` payloads of the given event type. */
export class SseClient {
  readonly events: unknown[] = [];
  private readonly controller = new AbortController();
  readonly ready: Promise<void>;

  constructor(url: string, token: string, type = 'alert') {
    this.ready = (async () => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: this.controller.signal });
      if (!res.ok || !res.body) throw new Error(`SSE ${url}: ${res.status}`);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      void (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            buffer += decoder.decode(value, { stream: true });
            let sep: number;
            while ((sep = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, sep);
              buffer = buffer.slice(sep + 2);
              const lines = block.split('\n');
              const ev = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
              const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
              if (ev === type && data) this.events.push(JSON.parse(data));
            }
          }
        } catch {
          /* aborted */
        }
      })();
    })();
  }

  close(): void {
    this.controller.abort();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function killHard(p?: ChildProcess): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
}
