import { randomUUID } from 'node:crypto';
import {
  Actor,
  applicationFromPetition,
  ApplyForMediationCommand,
  defaultCalendar,
  defaultRuleBook,
  mediationDecider,
  MediationRouting,
  PetitionCommand,
  petitionDecider,
  SYSTEM_ACTOR,
} from '@hearth/domain';
import { CommandMeta, CommandRunner } from '@hearth/platform/commands/command-runner';
import type { Clock } from '@hearth/platform/clock/clock';
import {
  mediationIdForPetition,
  openFromPetitionCommandId,
  PETITION_TO_MEDIATION,
  PetitionToMediation,
} from '@hearth/platform/worker/petition-to-mediation';
import { MediationProjection, MediationQueries, PetitionProjection, PetitionQueries } from '@hearth/read-models';
import { Env, org, setup } from './support';

class StoryClock implements Clock {
  readonly speed = 1;
  private t = Date.parse('2025-11-03T02:00:00Z');
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.t);
  }
  realDelayUntil(): number {
    return 0;
  }
}

const cst = (local: string): string => new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString();
const who = (role: Actor['role'], unit: string): Actor => ({ id: `${role}.${unit}`, role, orgUnit: unit });

const routing = (workers = 12): MediationRouting => ({
  employer: { name: '某劳务公司' },
  claims: [{ type: 'wages', amountYuan: 96000 }],
  disputeDate: '2025-10-20',
  workers: Array.from({ length: workers }, (_, i) => ({ workerId: `w${i + 1}`, name: `工人${i + 1}`, migrantWorker: true })),
  ...(workers >= 10 ? { commonClaim: true, representatives: ['w1', 'w2'] } : {}),
});

/**
 * From petition to mediation: the process manager follows the log, opens exactly one linked mediation case per
 * petition routed out to mediation — also after a restart, a lost checkpoint, two holders at once, or a failed
 * dispatch — and both read models show the link.
 */
describe('petition → mediation process manager (real redis + sqlite)', () => {
  let env: Env;
  const clock = new StoryClock();
  let cmd: CommandRunner;
  const managers: PetitionToMediation[] = [];
  let failNext = 0;
  const dispatched: string[] = [];

  const ctx = (actor: Actor, now: string) => ({ actor, now, calendar: defaultCalendar(), rules: defaultRuleBook(), org, jurisdiction: 'national' });
  const petition = async (at: string, actor: Actor, id: string, command: PetitionCommand) => {
    clock.set(cst(at));
    return cmd.execute(petitionDecider, id, command, actor, { commandId: randomUUID() });
  };
  const registerAndRoute = async (id: string, procedure: 'mediation' | 'labour_arbitration', at: string, workers = 12) => {
    await petition(at, who('intake', 'g1'), id, {
      type: 'RegisterPetition',
      petitionId: id,
      orgUnit: 'g1',
      channel: 'visit',
      category: 'claim',
      subject: '农民工讨薪',
      facts: '某劳务公司拖欠十二名农民工工资共九万六千元',
      request: '协调支付欠薪',
      petitioners: [{ name: '工人1' }, { name: '工人2' }],
      headcount: 5,
      identityKnown: true,
    });
    return petition(at.replace(/\d\d:\d\d$/, '15:00'), who('officer', 'g1'), id, {
      type: 'RouteOutPetition',
      signedBy: 'head.g1',
      procedure,
      reason: '属劳动争议',
      ...(procedure === 'mediation' ? { mediation: routing(workers) } : {}),
    });
  };
  const manager = (holder: string) => {
    const m = new PetitionToMediation({
      store: env.store,
      redis: env.redis,
      holder,
      leaseTtlMs: 1500,
      idleCheckMs: 100,
      maxBackoffMs: 200,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      dispatch: async (id: string, command: ApplyForMediationCommand, meta: CommandMeta) => {
        if (failNext > 0) {
          failNext--;
          throw new Error('transient: event store busy');
        }
        dispatched.push(id);
        return cmd.execute(mediationDecider, id, command, SYSTEM_ACTOR, meta);
      },
    });
    managers.push(m);
    return m;
  };
  const appliedEvents = async () => (await env.store.readAll()).filter((e) => e.type === 'MediationApplied');

  beforeAll(async () => {
    env = await setup();
    cmd = new CommandRunner(env.store, ctx, clock);
  });
  afterAll(async () => {
    for (const m of managers) await m.stop();
    await env.close();
  });

  const p1 = randomUUID();
  const p2 = randomUUID();
  const p3 = randomUUID();

  it('opens the linked case as Hearth itself, from the route-out data and the petition’s registered data', async () => {
    const routed = await registerAndRoute(p1, 'mediation', '2025-11-03 10:00');
    await registerAndRoute(p2, 'labour_arbitration', '2025-11-04 10:00');
    // A transient failure of the first dispatch: the batch is retried, the case opened once.
    failNext = 1;
    const m = manager('pm-a');
    m.start();
    expect(await m.waitFor(await env.store.headPosition(), 10_000)).toBe(true);
    expect(m.stats).toMatchObject({ opened: 1, refused: 0 });
    expect(m.stats.errors).toBeGreaterThanOrEqual(1);

    const mediationId = mediationIdForPetition(p1);
    const stream = await env.store.readStream(`mediation-${mediationId}`);
    expect(stream.map((e) => e.type)).toEqual(['MediationApplied', 'DeadlineOpened', 'DeadlineOpened']);
    const routeOut = (await env.store.readStream(`petition-${p1}`)).find((e) => e.type === 'PetitionRoutedOut')!;
    expect(routed.events).toEqual(['PetitionRoutedOut', 'DeadlineMet']);
    expect(stream[0]).toMatchObject({
      data: {
        mediationId,
        orgUnit: 'g1',
        form: 'written',
        facts: '某劳务公司拖欠十二名农民工工资共九万六千元',
        headcount: 12,
        collective: true,
        representatives: ['w1', 'w2'],
        claimTotalYuan: 96000,
        migrantWorkerCount: 12,
        fromPetition: { petitionId: p1 },
        appliedBy: 'system',
        disputeDate: '2025-10-20',
      },
      metadata: {
        actorId: 'system',
        role: 'system',
        cause: 'PetitionRoutedOut',
        causationId: routeOut.id,
        correlationId: routeOut.metadata.correlationId,
        commandId: openFromPetitionCommandId(routeOut.id),
      },
    });
    // Routed elsewhere: nothing opened.
    expect(await env.store.readStream(`mediation-${mediationIdForPetition(p2)}`)).toEqual([]);
    expect(await appliedEvents()).toHaveLength(1);
  });

  it('both read models show the link; the petition counts as routed to mediation, not lost', async () => {
    const r = env.newRunner({ projections: [new PetitionProjection({ org }), new MediationProjection({ org })] });
    r.start();
    expect(await r.waitFor(await env.store.headPosition(), 10_000)).toBe(true);
    const pq = new PetitionQueries(env.redis);
    const mq = new MediationQueries(env.redis);
    const mediationId = mediationIdForPetition(p1);
    expect(await pq.get(p1)).toMatchObject({ status: 'RoutedOut', decision: 'routed_out', routedTo: 'mediation', mediationId });
    expect(await pq.get(p2)).toMatchObject({ status: 'RoutedOut', routedTo: 'labour_arbitration' });
    expect((await pq.get(p2))!.mediationId).toBeUndefined();
    expect(await pq.counters('city')).toMatchObject({ received: 2, accepted: 2, routedOut: 2, routedToMediation: 1 });
    expect(await mq.get(mediationId)).toMatchObject({ status: 'Applied', orgUnit: 'g1', fromPetition: { petitionId: p1 }, headcount: 12, collective: true });
    expect(await mq.stats('s1')).toMatchObject({ applications: 1, fromPetition: 1, workersCovered: 12, wageArrearsClaimedYuan: 96000 });
    await r.stop();
  });

  it('never opens a second case: restart, lost checkpoint, two holders at once', async () => {
    await managers[0].stop();
    // Restart with the checkpoint: nothing to do.
    const b = manager('pm-b');
    b.start();
    const head = await env.store.headPosition();
    expect(await b.waitFor(head, 10_000)).toBe(true);
    expect(b.stats).toMatchObject({ opened: 0, alreadyOpen: 0 });
    await b.stop();

    // Checkpoint lost (Redis flushed): the whole log is replayed by two processes competing for the lease.
    await env.redis.del(`hearth:ckpt:${PETITION_TO_MEDIATION}`);
    const c = manager('pm-c');
    const d = manager('pm-d');
    c.start();
    d.start();
    await new Promise((res) => setTimeout(res, 300));
    const leader = [c, d].find((x) => x.stats.leader)!;
    expect(leader).toBeDefined();
    expect(await leader.waitFor(head, 10_000)).toBe(true);
    expect(c.stats.opened + d.stats.opened).toBe(0);
    expect(c.stats.alreadyOpen + d.stats.alreadyOpen).toBeGreaterThanOrEqual(1);
    expect(await appliedEvents()).toHaveLength(1);

    // Even a dispatch of the same route-out again appends nothing (same command id), or is refused as existing.
    const routeOut = (await env.store.readStream(`petition-${p1}`)).find((e) => e.type === 'PetitionRoutedOut')!;
    const again = await cmd.execute(
      mediationDecider,
      mediationIdForPetition(p1),
      applicationFromPetition(mediationIdForPetition(p1), { petitionId: p1, orgUnit: 'g1', headcount: 5, facts: '某劳务公司拖欠十二名农民工工资共九万六千元' }, routing()),
      SYSTEM_ACTOR,
      { commandId: openFromPetitionCommandId(routeOut.id) },
    );
    expect(again.replayed).toBe(true);
    expect(await appliedEvents()).toHaveLength(1);
  });

  it('opens a case for a petition routed out while it runs (live)', async () => {
    const running = managers.find((m) => m.stats.leader)!;
    await registerAndRoute(p3, 'mediation', '2025-11-05 10:00', 3);
    expect(await running.waitFor(await env.store.headPosition(), 10_000)).toBe(true);
    const stream = await env.store.readStream(`mediation-${mediationIdForPetition(p3)}`);
    expect(stream[0]).toMatchObject({ type: 'MediationApplied', data: { fromPetition: { petitionId: p3 }, headcount: 5, collective: false } });
    expect(await appliedEvents()).toHaveLength(2);
    expect(new Set(dispatched)).toEqual(new Set([mediationIdForPetition(p1), mediationIdForPetition(p3)]));
  });
});
