/**
 * `npm run bench` — Hearth against its floors and a peer, in one run on this machine (see README "Benchmarks").
 *
 *   node dist/bench/run.js [--quick] [--profile] [--only=floors,load,peer,deadlines,rebuild]
 *                          [--deadlines=N] [--deadlines-due=N] [--deadline-window=SECONDS] [--events=N]
 *
 * Full runs write bench/results/latest.json and a dated copy; --quick (a first look, < 3 minutes) writes
 * latest-quick.json and --only latest[-quick]-partial.json (each with a dated copy), so latest.json always holds a complete
 * full run. --profile runs Hearth's api with --cpu-prof during the petition mix and while deadlines fire, and prints
 * (and writes to profile-latest*.txt) where its time goes.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { httpFloor, HttpFloorResult } from './floors/http-floor';
import { storeFloor, StoreFloorResult } from './floors/store-floor';
import { timerFloor, TimerFloorResult } from './floors/bullmq-floor';
import { hearthLoad, HearthLoadResult, petitionMixOnly } from './scenarios/hearth-load';
import type { LoadResult } from './load/client';
import { peerComparison, PeerResult } from './scenarios/peer';
import { deadlines, DeadlinesResult } from './scenarios/deadlines';
import { rebuild, RebuildResult } from './scenarios/rebuild';
import { DIST, ROOT, sleep } from './support/processes';
import { round } from './support/stats';

const SCENARIOS = ['floors', 'load', 'peer', 'deadlines', 'rebuild'] as const;
type Scenario = (typeof SCENARIOS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
// The load and peer scenarios run Hearth as README "Running at scale" does (api + worker process) unless
// --topology=embedded; the other topology's petition-mix figure is measured too.
const topology = args.includes('--topology=embedded') ? 'embedded' : 'split';
const otherTopology = topology === 'split' ? 'embedded' : 'split';
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = new Set<Scenario>(onlyArg ? (onlyArg.slice(7).split(',') as Scenario[]) : SCENARIOS);
for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (${SCENARIOS.join(', ')})`);

/** Durations and sizes: full run vs --quick. */
const P = quick
  ? {
      concurrency: 32,
      httpFloorS: 5,
      storeFloorS: 2,
      timerFloor: { n: 10_000, windowMs: 10_000, leadMs: 5_000 },
      load: { warmupMs: 2_000, durationMs: 10_000, lagRate: 2000, lagDurationMs: 6_000 },
      peer: { warmupMs: 2_000, durationMs: 6_000 },
      deadlines: { n: 20_000, due: 3_000, windowMs: 15_000, leadMs: 15_000 },
      rebuild: { events: 40_000, longCase: 10_000 },
    }
  : {
      concurrency: 32,
      httpFloorS: 10,
      storeFloorS: 5,
      timerFloor: { n: 100_000, windowMs: 60_000, leadMs: 20_000 },
      load: { warmupMs: 10_000, durationMs: 60_000, lagRate: 2000, lagDurationMs: 30_000 },
      peer: { warmupMs: 5_000, durationMs: 30_000 },
      // 100,000 pending; 20,000 of them come due in one minute (333/s, far above a city's daily rate), 80,000 stay pending.
      deadlines: { n: 100_000, due: 20_000, windowMs: 60_000, leadMs: 60_000 },
      rebuild: { events: 1_000_000, longCase: 10_000 },
    };

// Overrides for experiments: --deadlines=N --deadlines-due=N --deadline-window=SECONDS --events=N (rebuild log size).
const num = (name: string): number | undefined => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : undefined;
};
P.deadlines.n = num('deadlines') ?? P.deadlines.n;
P.deadlines.due = Math.min(P.deadlines.n, num('deadlines-due') ?? P.deadlines.due);
P.deadlines.windowMs = (num('deadline-window') ?? P.deadlines.windowMs / 1000) * 1000;
P.rebuild.events = num('events') ?? P.rebuild.events;

const log = (m: string) => console.log(m);
const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

const TOPOLOGY_LABEL = {
  split: 'api process + worker process, as README "Running at scale"',
  embedded: 'one api process with the worker embedded, as scripts/start.sh runs it',
} as const;

interface Results {
  otherMix?: LoadResult;
  http?: HttpFloorResult;
  store?: StoreFloorResult;
  timers?: TimerFloorResult;
  load?: HearthLoadResult;
  peer?: PeerResult;
  deadlines?: DeadlinesResult;
  rebuild?: RebuildResult;
}

async function main(): Promise<void> {
  const started = new Date();
  const loadAtStart = loadavg()[0];
  const cpu = cpus();
  const machine = `${cpu.length}× ${cpu[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM, ${type()} ${release()}, Node ${process.version}`;
  log(`Hearth bench (${quick ? 'quick' : 'full'}) on ${machine}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const dataRoot = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  const profileDir = profile ? join(dataRoot, 'profiles') : undefined;
  if (profileDir) mkdirSync(profileDir);
  const r: Results = {};
  const failures: string[] = [];
  const step = async <T>(name: string, fn: () => Promise<T> | T): Promise<T | undefined> => {
    const t = performance.now();
    log(`\n▶ ${name}`);
    try {
      const v = await fn();
      log(`  (${((performance.now() - t) / 1000).toFixed(1)} s)`);
      return v;
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
      log(`  FAILED: ${(err as Error).stack ?? String(err)}`);
      return undefined;
    }
  };

  try {
    if (only.has('floors')) {
      r.http = await step('HTTP floor: bare Fastify POST → JSON (autocannon)', () => httpFloor(P.concurrency, P.httpFloorS));
      r.store = await step('store floor: raw better-sqlite3 durable appends (WAL, synchronous=FULL)', () => storeFloor(dataRoot, P.storeFloorS));
      r.timers = await step(`timer floor: raw BullMQ, ${P.timerFloor.n} delayed jobs over ${P.timerFloor.windowMs / 1000} s`, () =>
        timerFloor(P.timerFloor.n, P.timerFloor.windowMs, P.timerFloor.leadMs),
      );
    }
    if (only.has('load')) {
      r.load = await step(`Hearth: petition mix over HTTP (${TOPOLOGY_LABEL[topology]})`, () =>
        hearthLoad({ dataRoot, concurrency: P.concurrency, ...P.load, profileDir, topology, log }),
      );
      r.otherMix = await step(`Hearth: petition mix over HTTP (${TOPOLOGY_LABEL[otherTopology]})`, () =>
        petitionMixOnly({ dataRoot, concurrency: P.concurrency, warmupMs: P.load.warmupMs / 2, durationMs: P.load.durationMs / 2, topology: otherTopology }),
      );
    }
    if (only.has('peer')) r.peer = await step('Hearth vs Emmett peer: register + accept', () => peerComparison({ dataRoot, concurrency: P.concurrency, ...P.peer, topology, log }));
    if (only.has('deadlines'))
      r.deadlines = await step(`Hearth: deadline lateness, ${P.deadlines.n} pending deadlines, ${P.deadlines.due} of them due over ${P.deadlines.windowMs / 1000} s`, () =>
        deadlines({ dataRoot, deadlines: P.deadlines.n, due: P.deadlines.due, windowMs: P.deadlines.windowMs, leadMs: P.deadlines.leadMs, profileDir, log }),
      );
    if (only.has('rebuild'))
      r.rebuild = await step(`Hearth: read-model rebuild from ${P.rebuild.events} events; as-of replay of a ${P.rebuild.longCase}-event case`, () =>
        rebuild({ dataRoot, events: P.rebuild.events, longCaseEvents: P.rebuild.longCase, profileDir, log }),
      );
  } finally {
    rmSync(dataRoot, { recursive: true, force: true });
  }

  const figures = collect(r);
  // Other work on the machine during the run makes every figure pessimistic: keep the load averages with them.
  figures.loadAvg1mAtStart = round(loadAtStart, 2);
  figures.loadAvg1mAtEnd = round(loadavg()[0], 2);
  printTable(figures, r);
  const profiles = [
    r.load?.profile && `Hearth api during the petition mix\n${r.load.profile}`,
    r.deadlines?.profile && `Hearth api while deadlines fire\n${r.deadlines.profile}`,
    r.rebuild?.profile && `Hearth api rebuilding its read models (and serving the as-of/history reads after)\n${r.rebuild.profile}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  if (profiles) log(`\n${profiles}`);

  const stamp = `${started.getFullYear()}-${pad(started.getMonth() + 1)}-${pad(started.getDate())}-${pad(started.getHours())}${pad(started.getMinutes())}`;
  // Numbers only, plus machine and date (issue 7); quick vs full is in the file name, the topology in the README.
  const json = { ...figures, machine, date: started.toISOString() };
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(json, null, 2)}\n`;
  // latest.json holds complete full runs only; --quick and --only runs are kept apart.
  const kind = `${quick ? '-quick' : ''}${onlyArg ? '-partial' : ''}`;
  const names = [`latest${kind}.json`, `${stamp}${kind}.json`];
  for (const n of names) writeFileSync(join(dir, n), text);
  if (profiles) writeFileSync(join(dir, `profile-latest${kind}.txt`), `${profiles}\n`);
  log(`\nwrote bench/results/${names.join(' and bench/results/')}`);
  if (failures.length) {
    log(`\n${failures.length} part(s) failed:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The figures of latest.json: numbers only (a part that did not run or failed leaves its keys out). */
function collect(r: Results): Record<string, number> {
  const f: Record<string, number> = {};
  const set = (k: string, v: number | undefined, digits = 1) => {
    if (v !== undefined && Number.isFinite(v)) f[k] = round(v, digits);
  };
  const { http, store, timers, load, peer, deadlines: dl, rebuild: rb } = r;
  if (r.otherMix) {
    const other = otherTopology === 'embedded' ? 'Embedded' : 'Split';
    set(`commandsPerSec${other}`, r.otherMix.commandsPerSec, 0);
    set(`commandP99Ms${other}`, r.otherMix.commands.latency.p99, 2);
  }
  if (load) {
    set('commandsPerSec', load.mix.commandsPerSec, 0);
    set('commandP50Ms', load.mix.commands.latency.p50, 2);
    set('commandP99Ms', load.mix.commands.latency.p99, 2);
    set('commandErrors', load.mix.commands.failed, 0);
    set('requestsPerSec', load.mix.requestsPerSec, 0);
    set('queryP50Ms', load.mix.queries.latency.p50, 2);
    set('queryP99Ms', load.mix.queries.latency.p99, 2);
    set('projectionLagP50Ms', load.lagAtRate.lag?.p50, 1);
    set('projectionLagP99Ms', load.lagAtRate.lag?.p99, 1);
    set('projectionLagRateCommandsPerSec', load.lagAtRate.commandsPerSec, 0);
    set('commandP99MsAtLagRate', load.lagAtRate.commands.latency.p99, 2);
    set('projectionLagP50MsAtHalfLoad', load.lagAtHalf.lag?.p50, 1);
    set('projectionLagP99MsAtHalfLoad', load.lagAtHalf.lag?.p99, 1);
    set('projectionLagHalfLoadCommandsPerSec', load.lagAtHalf.commandsPerSec, 0);
    // Command latency below saturation (open loop at half the sustained rate, counted from the intended send time).
    set('commandP50MsAtHalfLoad', load.lagAtHalf.commands.latency.p50, 2);
    set('commandP99MsAtHalfLoad', load.lagAtHalf.commands.latency.p99, 2);
    set('projectionLagP50MsAtMaxLoad', load.mix.lag?.p50, 1);
    set('projectionLagP99MsAtMaxLoad', load.mix.lag?.p99, 1);
    set('redisBytesPerOpenCase', load.redisBytesPerOpenCase, 0);
    set('redisBytesPerDeadlineUnderLoad', load.redisBytesPerDeadline, 0);
    set('openCasesMeasured', load.openCases, 0);
    set('apiRssMb', mb(load.apiRssBytes));
    set('apiPeakRssMb', mb(load.apiPeakRssBytes));
    set('redisRssMb', mb(load.redisRssBytes));
  }
  if (rb) {
    set('rebuildEventsPerSec', rb.rebuildEventsPerSec, 0);
    set('rebuildEvents', rb.events, 0);
    set('onlineRebuildMs', rb.onlineRebuildMs, 0);
    set('recoveryEventsPerSec', rb.recoveryEventsPerSec, 0);
    set('rebuildMs', rb.rebuildMs, 0);
    set('rebuildWallMs', rb.rebuildWallMs, 0);
    set('deadlineRebuildMs', rb.deadlineRebuildMs, 0);
    set('rebuildApiPeakRssMb', mb(rb.apiPeakRssBytes));
    set('redisBytesPerCaseAfterRebuild', rb.redisBytesPerCase, 0);
    set('asOfReplayMs', rb.asOf.warm.p50, 2);
    set('asOfReplayColdMs', rb.asOf.coldMs, 2);
    set('asOfReplayEvents', rb.asOf.events, 0);
    set('asOfReplayHalfMs', rb.asOf.midMs, 2);
    set('asOfFoldMs', rb.asOf.fold.p50, 2);
    set('historyHttpP50Ms', rb.historyHttpMs.p50, 1);
  }
  if (dl) {
    set('deadlineLatenessP50Ms', dl.lateness.p50, 0);
    set('deadlineLatenessP99Ms', dl.lateness.p99, 0);
    set('deadlineLatenessMaxMs', dl.lateness.max, 0);
    set('deadlinesPending', dl.pendingAtStart, 0);
    set('deadlinesFired', dl.fired, 0);
    set('deadlinesDuePerSec', (dl.due * 1000) / dl.windowMs, 0);
    set('deadlinesPendingAfterWindow', dl.pendingAfterWindow, 0);
    set('deadlineSchedulingMs', dl.schedulingMs, 0);
    set('redisBytesPerDeadline', dl.redisBytesPerDeadline, 0);
    set('deadlinesApiPeakRssMb', mb(dl.apiPeakRssBytes));
  }
  if (f.redisBytesPerDeadline === undefined) set('redisBytesPerDeadline', load?.redisBytesPerDeadline, 0);
  if (http) {
    set('httpFloorReqPerSec', http.reqPerSec, 0);
    set('httpFloorP99Ms', http.p99Ms, 1);
  }
  if (store) {
    set('storeFloorAppendsPerSec', store.singleAppendsPerSec, 0);
    set('storeFloorBatchedAppendsPerSec', store.batchedAppendsPerSec, 0);
  }
  if (timers) {
    set('timerFloorAddPerSec', timers.addPerSec, 0);
    set('timerFloorLatenessP50Ms', timers.lateness.p50, 0);
    set('timerFloorLatenessP99Ms', timers.lateness.p99, 0);
    set('timerFloorRedisBytesPerJob', timers.redisBytesPerJob, 0);
    set('timerFloorRedisBytesPerJobListpack512', timers.redisBytesPerJobListpack512, 0);
  }
  if (peer) {
    set('peerCommandsPerSec', peer.peer.commandsPerSec, 0);
    set('peerCommandP99Ms', peer.peer.commands.latency.p99, 2);
    set('hearthRegisterAcceptPerSec', peer.hearth.commandsPerSec, 0);
    set('hearthRegisterAcceptP99Ms', peer.hearth.commands.latency.p99, 2);
    set('nestFloorReqPerSec', peer.nestFloor.reqPerSec, 0);
    if (peer.peer.commandsPerSec > 0) set('hearthOverPeer', peer.hearth.commandsPerSec / peer.peer.commandsPerSec, 2);
  }
  if (f.commandsPerSec !== undefined && f.httpFloorReqPerSec) set('hearthOverHttpFloor', f.commandsPerSec / f.httpFloorReqPerSec, 3);
  return f;
}

interface Row {
  label: string;
  key: string;
  unit: string;
  target?: { op: '≥' | '≤'; value: number };
}

const ROWS: Row[] = [
  { label: 'HTTP floor (bare Fastify POST)', key: 'httpFloorReqPerSec', unit: 'req/s' },
  { label: 'Nest floor (Nest+Fastify+class-validator+JWT, no store)', key: 'nestFloorReqPerSec', unit: 'req/s' },
  { label: 'store floor: durable appends, one per commit', key: 'storeFloorAppendsPerSec', unit: 'appends/s' },
  { label: 'store floor: durable appends, 100 per commit', key: 'storeFloorBatchedAppendsPerSec', unit: 'appends/s' },
  { label: 'timer floor: BullMQ delayed jobs added', key: 'timerFloorAddPerSec', unit: 'jobs/s' },
  { label: 'timer floor: BullMQ lateness p99', key: 'timerFloorLatenessP99Ms', unit: 'ms' },
  { label: 'Hearth: commands/s, petition mix, 32 clients', key: 'commandsPerSec', unit: 'cmd/s', target: { op: '≥', value: 5000 } },
  { label: 'Hearth: command latency p50', key: 'commandP50Ms', unit: 'ms' },
  { label: 'Hearth: command latency p99', key: 'commandP99Ms', unit: 'ms', target: { op: '≤', value: 25 } },
  { label: 'command latency p99 at half the sustained rate (open loop)', key: 'commandP99MsAtHalfLoad', unit: 'ms' },
  { label: 'Hearth ÷ HTTP floor', key: 'hearthOverHttpFloor', unit: '×', target: { op: '≥', value: 0.25 } },
  { label: 'Hearth: register+accept', key: 'hearthRegisterAcceptPerSec', unit: 'cmd/s' },
  { label: 'peer (Emmett 0.38.5 SQLite): register+accept', key: 'peerCommandsPerSec', unit: 'cmd/s' },
  { label: 'petition mix, one process with the worker embedded (scripts/start.sh)', key: 'commandsPerSecEmbedded', unit: 'cmd/s' },
  { label: '  its command p99', key: 'commandP99MsEmbedded', unit: 'ms' },
  { label: 'Hearth ÷ peer', key: 'hearthOverPeer', unit: '×', target: { op: '≥', value: 2 } },
  { label: 'projection lag p50, 2,000 cmd/s offered', key: 'projectionLagP50Ms', unit: 'ms' },
  { label: 'projection lag p99, 2,000 cmd/s offered', key: 'projectionLagP99Ms', unit: 'ms', target: { op: '≤', value: 100 } },
  { label: '  commands/s Hearth sustained of those 2,000', key: 'projectionLagRateCommandsPerSec', unit: 'cmd/s' },
  { label: 'projection lag p99 at half the sustained rate', key: 'projectionLagP99MsAtHalfLoad', unit: 'ms' },
  { label: 'projection lag p99 at max load (petition mix)', key: 'projectionLagP99MsAtMaxLoad', unit: 'ms' },
  { label: 'rebuild speed (admin rebuild: new generation from the log, then switch)', key: 'rebuildEventsPerSec', unit: 'events/s', target: { op: '≥', value: 50_000 } },
  { label: '  recovery after Redis lost everything (read models, with scheduler and process manager replaying too)', key: 'recoveryEventsPerSec', unit: 'events/s' },
  { label: '  log size', key: 'rebuildEvents', unit: 'events' },
  { label: 'as-of replay of a 10,000-event case (GET …/as-of, p50 of 20 after the first)', key: 'asOfReplayMs', unit: 'ms', target: { op: '≤', value: 50 } },
  { label: '  the first as-of of that case (no snapshot yet: full replay, leaves snapshots)', key: 'asOfReplayColdMs', unit: 'ms' },
  { label: '  the same fold in-process (read + evolve)', key: 'asOfFoldMs', unit: 'ms' },
  { label: 'history of that case over HTTP (p50)', key: 'historyHttpP50Ms', unit: 'ms' },
  { label: 'deadline lateness p50', key: 'deadlineLatenessP50Ms', unit: 'ms' },
  { label: 'deadline lateness p99', key: 'deadlineLatenessP99Ms', unit: 'ms', target: { op: '≤', value: 1000 } },
  { label: '  pending deadlines / fired', key: 'deadlinesPending', unit: '' },
  { label: '  rate they came due', key: 'deadlinesDuePerSec', unit: '/s' },
  { label: 'Redis per open case (read models)', key: 'redisBytesPerOpenCase', unit: 'B', target: { op: '≤', value: 2048 } },
  { label: 'Redis per pending deadline (timer + index)', key: 'redisBytesPerDeadline', unit: 'B', target: { op: '≤', value: 1024 } },
  { label: '  BullMQ alone per delayed job (Redis defaults / listpack 512)', key: 'timerFloorRedisBytesPerJob', unit: 'B' },
  { label: 'api RSS (end of load) / peak', key: 'apiRssMb', unit: 'MB' },
  { label: 'redis-server RSS (end of load)', key: 'redisRssMb', unit: 'MB' },
];

function printTable(f: Record<string, number>, r: Results): void {
  log('\n| figure | value | target | |\n|---|---:|---:|---|');
  for (const row of ROWS) {
    const v = f[row.key];
    if (v === undefined) continue;
    let value = `${v.toLocaleString('en-US')} ${row.unit}`;
    if (row.key === 'apiRssMb' && f.apiPeakRssMb !== undefined) value = `${v} / ${f.apiPeakRssMb} MB`;
    if (row.key === 'deadlinesPending') value = `${v.toLocaleString('en-US')} / ${(f.deadlinesFired ?? 0).toLocaleString('en-US')}`;
    if (row.key === 'timerFloorRedisBytesPerJob') value = `${v} / ${f.timerFloorRedisBytesPerJobListpack512 ?? '?'} B`;
    const t = row.target;
    const ok = t ? (t.op === '≥' ? v >= t.value : v <= t.value) : undefined;
    log(`| ${row.label} | ${value} | ${t ? `${t.op} ${t.value.toLocaleString('en-US')}` : ''} | ${ok === undefined ? '' : ok ? 'met' : 'NOT met'} |`);
  }
  const errs = { ...(r.load?.mix.errors ?? {}), ...(r.peer?.hearth.errors ?? {}) };
  if (Object.keys(errs).length) log(`\nnon-2xx answers during Hearth runs: ${JSON.stringify(errs)}`);
  if (r.load && Object.keys(r.load.lagAtRate.errors).length) log(`non-2xx answers at the fixed rate: ${JSON.stringify(r.load.lagAtRate.errors)}`);
  if (r.peer && Object.keys(r.peer.peer.errors).length) log(`non-2xx answers from the peer: ${JSON.stringify(r.peer.peer.errors)}`);
}

/**
 * Other work in the same tree may rebuild dist/ while the bench runs (for a moment its modules are missing or not
 * yet path-rewritten), so the bench runs from a private copy of the freshly built tree, inside the repository so
 * that node_modules/ and config/ resolve as from dist/. Removed when the run ends.
 */
async function fromSnapshot(): Promise<number> {
  const built = (dir: string) => {
    const main = join(dir, 'apps/api/src/main.js');
    return existsSync(main) && !readFileSync(main, 'utf8').includes('require("@hearth/') && existsSync(join(dir, 'bench/load/client.js'));
  };
  const snapshot = join(ROOT, 'bench', `.dist-${process.pid}`);
  for (let attempt = 0; ; attempt++) {
    if (built(DIST)) {
      rmSync(snapshot, { recursive: true, force: true });
      cpSync(DIST, snapshot, { recursive: true });
      if (built(snapshot)) break;
    }
    if (attempt >= 60) throw new Error('dist/ is not a complete build (run npm run build)');
    await sleep(1000);
  }
  const child = spawn(process.execPath, [join(snapshot, 'bench/run.js'), ...args], { stdio: 'inherit', env: { ...process.env, HEARTH_BENCH_SNAPSHOT: snapshot } });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  try {
    return await new Promise<number>((res) => child.on('exit', (code) => res(code ?? 1)));
  } finally {
    rmSync(snapshot, { recursive: true, force: true });
  }
}

(process.env.HEARTH_BENCH_SNAPSHOT ? main() : fromSnapshot().then((code) => void (process.exitCode = code))).catch((err) => {
  console.error(err);
  process.exit(1);
});
