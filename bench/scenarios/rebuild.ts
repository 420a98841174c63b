import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { Actor, petitionDecider, PetitionCommand } from '@hearth/domain';
import type { NewEvent } from '@hearth/event-store';
import { registerBody, UNITS } from '../load/workloads';
import { HearthUnderBench } from '../support/hearth';
import { RssSampler, sleep } from '../support/processes';
import { BenchRedis } from '../support/redis-server';
import { bytesByClass } from '../support/redis-memory';
import { BENCH_SECRET, contextFactory, ManualClock, openHearthStore, seedLog, seedRunner, withMetadata } from '../support/seed';
import { Samples, Summary } from '../support/stats';
import { formatProfile, summarizeProfile } from '../support/profile';

export interface RebuildOptions {
  dataRoot: string;
  /** Events in the seeded log (about; whole cases). */
  events: number;
  /** Events of the one long case replayed as of a time. */
  longCaseEvents: number;
  profileDir?: string;
  log: (m: string) => void;
}

export interface RebuildResult {
  events: number;
  cases: number;
  seedMs: number;
  /**
   * `POST /admin/read-models/rebuild` on the running, caught-up api (what `hearth rebuild` asks for): every read model
   * rebuilt from position 0 into a new generation next to the live one, request → switch-over. Events per second.
   */
  rebuildEventsPerSec: number;
  onlineRebuildMs: number;
  /** Recovery after Redis lost everything (fresh Redis): read models, first committed batch → the seeded head. */
  recoveryEventsPerSec: number;
  rebuildMs: number;
  /** Process start → read models at the seeded head (start-up included). */
  rebuildWallMs: number;
  deadlineRebuildMs: number;
  apiPeakRssBytes: number;
  redisBytesPerCase: number;
  /** GET …/as-of?revision= over HTTP (cold, then 20 more), and the in-process read + fold alone. */
  asOf: { events: number; coldMs: number; warm: Summary; midMs: number; fold: Summary };
  historyHttpMs: Summary;
  profile?: string;
}

const DAY = 86_400_000;
const at = (dayStart: number, step: number) => dayStart + 9 * 3_600_000 + step * 40 * 60_000;

/**
 * Rebuild speed and as-of replay. A log of whole petition lifecycles (register → accept → assign → 3× progress →
 * draft → approve → close, 15 events each, cases interleaved day by day as in real life; the last two weeks' cases
 * still open) plus one long case, written through Hearth's own command path; then Hearth starts on it with an empty
 * Redis and the time until its read models reach the log's head is measured. As-of replay: the long case through
 * Hearth's as-of endpoint (decider fold + read-model row), the same fold in-process, and its history over HTTP.
 */
export async function rebuild(o: RebuildOptions): Promise<RebuildResult> {
  const dataDir = mkdtempSync(join(o.dataRoot, 'hearth-rebuild-'));
  const redis = await BenchRedis.start();
  const perDay = 200;
  // More cases than the events need: the log stops at `events`, so the last cases registered are still open.
  const cases = Math.ceil((o.events / 15) * 1.1);
  const days = Math.ceil(cases / perDay);
  const clock = new ManualClock();
  const start = Date.parse('2025-01-06T00:00:00.000Z');
  const longId = randomUUID();
  // [step, offset in days, role, command]
  const steps: Array<[number, string, (u: string, id: string) => PetitionCommand | undefined]> = [
    [0, 'intake', () => undefined], // register (built below)
    [1, 'officer', (u) => ({ type: 'AcceptPetition', signedBy: `head.${u}` })],
    [1, 'officer', (u) => ({ type: 'AssignHandler', officerId: `officer.${u}` })],
    [3, 'officer', () => ({ type: 'RecordProgress', note: '已约谈用人单位负责人，了解拖欠原因', attachments: [] })],
    [5, 'officer', () => ({ type: 'RecordProgress', note: '用人单位承诺分期支付', attachments: ['doc://minutes/1'] })],
    [7, 'officer', () => ({ type: 'RecordProgress', note: '第一期款项已到账', attachments: [] })],
    [9, 'officer', () => ({ type: 'DraftAnswer', outcome: 'support', facts: '经调查核实拖欠属实，已督促补发', legalBasis: '劳动合同法 art. 30' })],
    [10, 'head', () => ({ type: 'ApproveAnswer' })],
    [14, 'head', () => ({ type: 'ClosePetition', reason: 'resolved', note: '已补发' })],
  ];
  const t0 = performance.now();
  let lastInstant = start;
  const seeded = await seedLog(dataDir, redis.url, async (store) => {
    const runner = seedRunner(store, clock);
    const ids: string[] = [];
    for (let d = 0; d < days + 14; d++) {
      const dayStart = start + d * DAY;
      for (let s = 0; s < steps.length; s++) {
        const [offset, role, build] = steps[s];
        const regDay = d - offset;
        if (regDay < 0 || regDay >= days) continue;
        // The day's cases at this step, all at the same minute and concurrently (the store groups them into commits).
        clock.nowMs = lastInstant = at(dayStart, s);
        const todo: Array<Promise<unknown>> = [];
        for (let j = 0; j < perDay; j++) {
          const k = regDay * perDay + j;
          if (k >= cases) break;
          const unit = UNITS[k % UNITS.length];
          const actor = { id: `${role}.${unit}`, role, orgUnit: unit } as Actor;
          if (s === 0) ids[k] = randomUUID();
          const command = s === 0 ? ({ type: 'RegisterPetition', petitionId: ids[k], ...registerBody({ unit, id: ids[k], seq: k, loop: 7 }) } as PetitionCommand) : build(unit, ids[k])!;
          todo.push(runner.execute(petitionDecider, ids[k], command, actor, { commandId: randomUUID() }));
        }
        await Promise.all(todo);
      }
      // The log is history: stop at the present (cases registered in the last two weeks stay open).
      if ((await store.headPosition()) + 1 >= o.events) break;
    }
    // One long case: registered, accepted, assigned, then progress notes.
    const unit = UNITS[0];
    const officer: Actor = { id: `officer.${unit}`, role: 'officer', orgUnit: unit };
    const run = (command: PetitionCommand, actor: Actor) => {
      clock.nowMs = lastInstant += 1000;
      return runner.execute(petitionDecider, longId, command, actor, { commandId: randomUUID() });
    };
    await run({ type: 'RegisterPetition', petitionId: longId, ...registerBody({ unit, id: longId, seq: 1, loop: 8 }) } as PetitionCommand, { id: `intake.${unit}`, role: 'intake', orgUnit: unit });
    await run({ type: 'AcceptPetition', signedBy: `head.${unit}` }, officer);
    let revision = (await run({ type: 'AssignHandler', officerId: officer.id }, officer)).revision;
    // The progress notes as the decider records them, one command each, appended 200 per call (seeding speed only).
    const state = (await runner.stateOf(petitionDecider, longId)).state;
    const contextFor = contextFactory();
    for (let i = 0; revision + 1 < o.longCaseEvents; ) {
      const batch: NewEvent[] = [];
      for (; batch.length < 200 && revision + 1 + batch.length < o.longCaseEvents; i++) {
        const now = new Date((lastInstant += 1000)).toISOString();
        const command: PetitionCommand = { type: 'RecordProgress', note: `第${i + 1}次跟进：与用人单位及职工代表沟通协调`, attachments: [] };
        batch.push(...withMetadata(petitionDecider.decide(command, state, contextFor(officer, now)), officer, now, randomUUID(), command.type));
      }
      revision = (await store.append(`petition-${longId}`, batch, revision)).nextRevision;
    }
    return { head: await store.headPosition(), cases: ids.filter(Boolean).length + 1 };
  });
  const seedMs = performance.now() - t0;
  o.log(`  seeded ${seeded.head + 1} events (${seeded.cases} cases) in ${(seedMs / 1000).toFixed(1)} s`);

  const realStart = Date.now();
  const present = new Date(lastInstant + 60_000).toISOString();
  const cpuProfileDir = o.profileDir ? mkdtempSync(join(o.profileDir, 'rebuild-')) : undefined;
  const h = await HearthUnderBench.start({
    dataRoot: o.dataRoot,
    dataDir,
    redis,
    cpuProfileDir,
    name: 'hearth-api (rebuild)',
    env: { HEARTH_CLOCK_SPEED: '1', HEARTH_CLOCK_START: present, HEARTH_CLOCK_REAL_START: String(realStart) },
  });
  const rss = new RssSampler(() => h.api.pid, 250);
  let result: RebuildResult | undefined;
  try {
    const rmKey = await h.readModelCheckpointKey();
    let first: { t: number; pos: number } | undefined;
    let done: number | undefined;
    let deadlinesDone: number | undefined;
    const until = Date.now() + 30 * 60_000;
    while ((!done || !deadlinesDone) && Date.now() < until) {
      const [rm, dl] = await h.conn.mget(rmKey, 'hearth:ckpt:deadlines');
      const now = Date.now();
      const pos = rm === null ? NaN : Number(rm);
      if (!first && pos >= 0) first = { t: now, pos };
      if (!done && pos >= seeded.head) done = now;
      if (!deadlinesDone && dl !== null && Number(dl) >= seeded.head) deadlinesDone = now;
      await sleep(20);
    }
    if (!done || !first) throw new Error(`read models did not reach the head ${seeded.head} in time`);
    const rebuildMs = done - first.t;
    const mem = await bytesByClass(h.conn);

    // The online rebuild an operator starts: a new generation built from position 0 while queries use the old one.
    const admin = new JwtService().sign({ sub: 'head.city', role: 'head', org: 'city' }, { secret: BENCH_SECRET });
    const adminHeaders = { authorization: `Bearer ${admin}` };
    const tOnline = performance.now();
    const started = await fetch(`${h.baseUrl}/admin/read-models/rebuild`, { method: 'POST', headers: adminHeaders });
    const { generation } = (await started.json()) as { generation: number };
    if (started.status !== 202) throw new Error(`POST /admin/read-models/rebuild: ${started.status}`);
    for (;;) {
      const st = (await (await fetch(`${h.baseUrl}/admin/read-models`, { headers: adminHeaders })).json()) as { generation: number };
      if (st.generation === generation) break;
      if (performance.now() - tOnline > 30 * 60_000) throw new Error('the online rebuild did not switch over in time');
      await sleep(20);
    }
    const onlineRebuildMs = performance.now() - tOnline;
    o.log(`  online rebuild (new generation, switch-over): ${seeded.head + 1} events in ${(onlineRebuildMs / 1000).toFixed(1)} s`);

    // As-of replay of the long case, as an auditor gets it: GET /audit/cases/petition/<id>/as-of (Hearth folds the
    // stream with the decider and replays its read-model row into scratch keys).
    const token = new JwtService().sign({ sub: 'auditor.city', role: 'auditor', org: 'city' }, { secret: BENCH_SECRET });
    const get = async (path: string): Promise<{ ms: number; body: { revision?: number; events?: unknown[] } }> => {
      const t = performance.now();
      const res = await fetch(`${h.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { revision?: number; events?: unknown[] };
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      return { ms: performance.now() - t, body };
    };
    const asOfPath = (revision: number) => `/audit/cases/petition/${longId}/as-of?revision=${revision}`;
    const lastRevision = o.longCaseEvents - 1;
    const cold = await get(asOfPath(lastRevision));
    if (cold.body.revision !== lastRevision) throw new Error(`as-of folded to revision ${cold.body.revision}, not ${lastRevision}`);
    const warm = new Samples();
    for (let i = 0; i < 20; i++) warm.add((await get(asOfPath(lastRevision))).ms);
    const midMs = (await get(asOfPath(Math.floor(lastRevision / 2)))).ms;

    // The same fold in-process, without HTTP and the read-model replay: Hearth's store (decryption, upcasting) + evolve.
    const { store, close } = await openHearthStore(dataDir, redis.url);
    const fold = new Samples();
    try {
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        let state = petitionDecider.initialState;
        for (const e of await store.readStream(`petition-${longId}`)) state = petitionDecider.evolve(state, { type: e.type, data: e.data } as never);
        if (state.status !== 'InHandling') throw new Error(`fold ended in ${state.status}`);
        fold.add(performance.now() - t);
      }
    } finally {
      await close();
    }
    const historyHttp = new Samples();
    for (let i = 0; i < 5; i++) {
      const r = await get(`/petitions/${longId}/history`);
      if ((r.body.events?.length ?? 0) < o.longCaseEvents) throw new Error('history of the long case is incomplete');
      historyHttp.add(r.ms);
    }
    result = {
      events: seeded.head + 1,
      cases: seeded.cases,
      seedMs,
      rebuildEventsPerSec: ((seeded.head + 1) * 1000) / onlineRebuildMs,
      onlineRebuildMs,
      recoveryEventsPerSec: ((seeded.head - first.pos) * 1000) / rebuildMs,
      rebuildMs,
      rebuildWallMs: done - realStart,
      deadlineRebuildMs: deadlinesDone ? deadlinesDone - realStart : NaN,
      apiPeakRssBytes: rss.stop(),
      redisBytesPerCase: mem.bytes.readModels / seeded.cases,
      asOf: { events: lastRevision + 1, coldMs: cold.ms, warm: warm.summary(), midMs, fold: fold.summary() },
      historyHttpMs: historyHttp.summary(),
    };
    return result;
  } finally {
    await h.stop();
    const s = cpuProfileDir ? summarizeProfile(cpuProfileDir) : undefined;
    if (s && result) result.profile = formatProfile(s);
  }
}
