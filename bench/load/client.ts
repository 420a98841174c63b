/**
 * Load generator, run as its own process (forked by the bench) so that it never shares an event loop with the
 * server it measures. Each of `concurrency` loops is one clerk walking cases through a workload over keep-alive
 * HTTP; closed loop by default, or open loop at a fixed total command rate (latency then counts from the intended
 * send time, so a stalled server cannot hide its queueing: no coordinated omission).
 *
 * With `lag`, it also measures projection lag: for every command answered 2xx it remembers (global position, time
 * of the answer) and, on every change of the read-model checkpoint in Redis (keyspace notification), takes the
 * positions now covered as visible.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { JwtService } from '@nestjs/jwt';
import Redis from 'ioredis';
import { Samples, Summary } from '../support/stats';
import { CaseRef, Step, UNITS, WORKLOADS, WorkloadName } from './workloads';

export interface LoadConfig {
  baseUrl: string;
  secret: string;
  workload: WorkloadName;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Open loop: total commands per second over all loops. */
  ratePerSec?: number;
  /** Projection lag: Redis of the read models and the checkpoint key. */
  lag?: { redisUrl: string; key: string };
  /** Distinguishes Idempotency-Keys between runs against the same server. */
  runId: string;
}

export interface OpResult {
  ok: number;
  failed: number;
  latency: Summary;
}

export interface LoadResult {
  workload: WorkloadName;
  concurrency: number;
  ratePerSec?: number;
  windowMs: number;
  commandsPerSec: number;
  requestsPerSec: number;
  commands: OpResult;
  queries: OpResult;
  perOp: Record<string, OpResult>;
  /** `<op> <status> <code>` → count, for every non-2xx answer or transport error in the window. */
  errors: Record<string, number>;
  /** GET of a case answered 404 because the read model had not caught up yet (counted as ok). */
  staleReads: number;
  /** Cases registered over the whole run (warm-up included): every one stays open. */
  casesRegistered: number;
  lag?: Summary & { unresolved: number };
}

type Msg = { type: 'run'; config: LoadConfig };

const jwt = new JwtService();

async function run(cfg: LoadConfig): Promise<LoadResult> {
  const url = new URL(cfg.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.concurrency, maxFreeSockets: cfg.concurrency });
  const tokens = new Map<string, string>();
  const tokenFor = (role: string, unit: string): string => {
    const sub = `${role}.${unit}`;
    let t = tokens.get(sub);
    if (!t) {
      t = jwt.sign({ sub, role, org: unit }, { secret: cfg.secret, expiresIn: '12h' });
      tokens.set(sub, t);
    }
    return t;
  };

  const steps = WORKLOADS[cfg.workload];
  const ops = new Map<string, { ok: number; failed: number; lat: Samples }>();
  for (const s of steps) ops.set(s.op, { ok: 0, failed: 0, lat: new Samples() });
  const cmdLat = new Samples();
  const qryLat = new Samples();
  let cmdOk = 0;
  let cmdFailed = 0;
  let qryOk = 0;
  let qryFailed = 0;
  let staleReads = 0;
  let casesRegistered = 0;
  const errors: Record<string, number> = {};

  const t0 = performance.now();
  const windowStart = t0 + cfg.warmupMs;
  const windowEnd = windowStart + cfg.durationMs;
  let stopping = false;

  // ---- projection lag ----
  const lagSamples = new Samples();
  const pending: Array<{ pos: number; t: number }> = [];
  let sub: Redis | undefined;
  let getter: Redis | undefined;
  if (cfg.lag) {
    const { redisUrl, key } = cfg.lag;
    sub = new Redis(redisUrl);
    getter = new Redis(redisUrl);
    await getter.config('SET', 'notify-keyspace-events', 'K$');
    let reading = false;
    let again = false;
    const check = async (): Promise<void> => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const v = Number((await getter!.get(key)) ?? -1);
          const now = performance.now();
          let keep = 0;
          for (const p of pending) {
            if (p.pos <= v) lagSamples.add(now - p.t);
            else pending[keep++] = p;
          }
          pending.length = keep;
        } while (again);
      } finally {
        reading = false;
      }
    };
    sub.on('message', () => void check());
    await sub.subscribe(`__keyspace@0__:${key}`);
  }

  const send = (step: Step, c: CaseRef, idem: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve) => {
      const payload = step.body ? JSON.stringify(step.body(c)) : undefined;
      const headers: Record<string, string | number> = { authorization: `Bearer ${tokenFor(step.role, c.unit)}` };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      if (step.command) headers['idempotency-key'] = idem;
      const req = http.request({ agent, host: url.hostname, port: url.port, method: step.method, path: step.path(c), headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', (err) => resolve({ status: 0, body: String(err) }));
      });
      req.on('error', (err) => resolve({ status: 0, body: JSON.stringify({ code: (err as NodeJS.ErrnoException).code ?? err.message }) }));
      if (payload !== undefined) req.write(payload);
      req.end();
    });

  const salt = [...cfg.runId].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, 7);
  // Open loop: each loop owns every `concurrency`-th slot of the global schedule.
  const interval = cfg.ratePerSec ? (1000 * cfg.concurrency) / cfg.ratePerSec : 0;

  const loop = async (i: number): Promise<void> => {
    const unit = UNITS[i % UNITS.length];
    let seq = 0;
    let slot = 0;
    const phase = interval ? (i * interval) / cfg.concurrency : 0;
    while (!stopping) {
      const c: CaseRef = { unit, id: '', seq: seq++, loop: i, salt };
      for (const step of steps) {
        let intended = performance.now();
        if (interval && step.command) {
          intended = t0 + phase + slot++ * interval;
          const wait = intended - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        if (stopping) return;
        const sent = performance.now();
        // Open loop: latency counts from the intended send time (queueing included).
        const started = interval && step.command ? intended : sent;
        const res = await send(step, c, `${cfg.runId}-${i}-${c.seq}-${step.op}`);
        const done = performance.now();
        const inWindow = sent >= windowStart && done <= windowEnd;
        const ok = res.status >= 200 && res.status < 300;
        const stale = !ok && step.op === 'get-case' && res.status === 404;
        if (inWindow) {
          const o = ops.get(step.op)!;
          const ms = done - started;
          if (ok || stale) {
            o.ok++;
            o.lat.add(ms);
            if (step.command) {
              cmdOk++;
              cmdLat.add(ms);
            } else {
              qryOk++;
              qryLat.add(ms);
            }
            if (stale) staleReads++;
          } else {
            o.failed++;
            if (step.command) cmdFailed++;
            else qryFailed++;
            let code = '';
            try {
              code = (JSON.parse(res.body) as { code?: string }).code ?? '';
            } catch {
              /* not JSON */
            }
            const k = `${step.op} ${res.status} ${code}`.trim();
            errors[k] = (errors[k] ?? 0) + 1;
          }
        }
        if (!ok) break; // this case cannot go on: start a new one
        if (step.command) {
          const out = JSON.parse(res.body) as { id?: string; position?: number };
          if (step.op === 'register') {
            c.id = out.id!;
            casesRegistered++;
          }
          if (cfg.lag && inWindow && typeof out.position === 'number') pending.push({ pos: out.position, t: done });
        }
        if (performance.now() >= windowEnd) stopping = true;
      }
    }
  };

  const stopTimer = setTimeout(() => (stopping = true), cfg.warmupMs + cfg.durationMs);
  await Promise.all(Array.from({ length: cfg.concurrency }, (_, i) => loop(i)));
  clearTimeout(stopTimer);

  // Let the read models catch up with the last commands of the window (bounded).
  if (cfg.lag) {
    const until = performance.now() + 10_000;
    while (pending.length && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    sub!.disconnect();
    getter!.disconnect();
  }
  agent.destroy();

  const windowMs = cfg.durationMs;
  const opResult = (ok: number, failed: number, lat: Samples): OpResult => ({ ok, failed, latency: lat.summary() });
  return {
    workload: cfg.workload,
    concurrency: cfg.concurrency,
    ratePerSec: cfg.ratePerSec,
    windowMs,
    commandsPerSec: (cmdOk * 1000) / windowMs,
    requestsPerSec: ((cmdOk + qryOk) * 1000) / windowMs,
    commands: opResult(cmdOk, cmdFailed, cmdLat),
    queries: opResult(qryOk, qryFailed, qryLat),
    perOp: Object.fromEntries([...ops].map(([k, v]) => [k, opResult(v.ok, v.failed, v.lat)])),
    errors,
    staleReads,
    casesRegistered,
    lag: cfg.lag ? { ...lagSamples.summary(), unresolved: pending.length } : undefined,
  };
}

process.on('message', (m: Msg) => {
  if (m.type !== 'run') return;
  run(m.config).then(
    (result) => process.send!({ type: 'result', result }, () => process.exit(0)),
    (err: Error) => process.send!({ type: 'error', error: err.stack ?? String(err) }, () => process.exit(1)),
  );
});
