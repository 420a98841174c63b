import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The compiled tree this file runs from: `dist/`, or the bench's private snapshot of it (see run.ts). */
export const DIST = resolve(__dirname, '../..');
/** Repository root: the nearest folder above with a package.json (config/ and node_modules/ are found from there). */
export const ROOT = ((): string => {
  for (let d = DIST; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return resolve(DIST, '..');
  }
})();
/** What `scripts/start.sh` runs: the api, with the worker embedded (HEARTH_EMBEDDED_WORKER defaults to true). */
export const API_MAIN = join(DIST, 'apps/api/src/main.js');
/** The worker process (`npm run start:worker`): subscriptions and timers, no HTTP. */
export const WORKER_MAIN = join(DIST, 'apps/worker/src/main.js');
/** The Node flags scripts/start.sh, package.json and docker/ start Hearth's processes with. */
export const HEARTH_NODE_FLAGS = ['--max-semi-space-size=64'];
export const BENCH_DIST = join(DIST, 'bench');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface NodeProcessOptions {
  name: string;
  main: string;
  env?: Record<string, string>;
  /** Write a V8 CPU profile into this folder when the process ends (node --cpu-prof). */
  cpuProfileDir?: string;
  args?: string[];
  /** Node flags before the script (Hearth's processes get what scripts/start.sh gives them). */
  nodeFlags?: string[];
}

/** A Node child process of the bench (Hearth's api, the peer, the HTTP floor server), with its recent output kept. */
export class NodeProcess {
  readonly logs: string[] = [];
  readonly proc: ChildProcess;
  readonly startedAt = Date.now();

  constructor(readonly options: NodeProcessOptions) {
    const flags: string[] = [...(options.nodeFlags ?? [])];
    if (options.cpuProfileDir) {
      // --cpu-prof writes the profile on a normal exit only: the preload turns SIGUSR2 into process.exit(0).
      flags.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, '--require', join(BENCH_DIST, 'support/exit-on-signal.js'));
    }
    this.proc = spawn(process.execPath, [...flags, options.main, ...(options.args ?? [])], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.logs.push(d.toString());
      if (this.logs.length > 200) this.logs.shift();
    };
    this.proc.stdout?.on('data', keep);
    this.proc.stderr?.on('data', keep);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get exited(): boolean {
    return this.proc.exitCode !== null || this.proc.signalCode !== null;
  }

  tail(lines = 30): string {
    return this.logs.join('').split('\n').slice(-lines).join('\n');
  }

  /** Polls `url` until it answers 2xx. */
  async waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`${this.options.name} exited (${this.proc.exitCode ?? this.proc.signalCode}):\n${this.tail()}`);
      try {
        if ((await fetch(url)).ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`${this.options.name} did not become healthy at ${url}:\n${this.tail()}`);
      await sleep(50);
    }
  }

  /** Resident set size now and its peak (VmHWM), in bytes. */
  memory(): { rss: number; peakRss: number } {
    return procMemory(this.pid);
  }

  /** Graceful stop (SIGUSR2 when profiling, so the profile gets written; SIGTERM otherwise), then SIGKILL. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill(this.options.cpuProfileDir ? 'SIGUSR2' : 'SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!killed) {
      this.proc.kill('SIGKILL');
      await exited;
    }
  }
}

/** VmRSS and VmHWM of a process, in bytes (0 when it is gone). */
export function procMemory(pid: number | undefined): { rss: number; peakRss: number } {
  if (!pid) return { rss: 0, peakRss: 0 };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
  } catch {
    return { rss: 0, peakRss: 0 };
  }
}

/** Samples a process's RSS every `everyMs` and remembers the highest value seen. */
export class RssSampler {
  private timer?: NodeJS.Timeout;
  max = 0;
  constructor(
    private readonly pid: () => number | undefined,
    everyMs = 500,
  ) {
    this.timer = setInterval(() => (this.max = Math.max(this.max, procMemory(this.pid()).rss)), everyMs);
    this.timer.unref();
  }
  stop(): number {
    clearInterval(this.timer);
    this.max = Math.max(this.max, procMemory(this.pid()).rss);
    return this.max;
  }
}
