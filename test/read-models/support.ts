import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { EventStore } from '@hearth/event-store/event-store.port';
import { SqliteEventStore } from '@hearth/event-store/sqlite/sqlite-event-store';
import { OrgDirectory } from '@hearth/domain/org/org-directory';
import { TestRedis } from '@hearth/testing/redis-server';
import { AlertProjection, PetitionProjection, ProjectionRunner, ProjectionRunnerOptions, silentLogger } from '@hearth/read-models';

/**
 *   city (L1)
 *   ├── d1 (L2) ── s1 (L3) ─┬─ g1 (L4)
 *   │                        └─ g2 (L4)
 *   └── d2 (L2) ── g3 (L4)
 */
export const org = new OrgDirectory([
  { id: 'city', name: 'City federation', level: 1 },
  { id: 'd1', name: 'District 1', level: 2, parentId: 'city' },
  { id: 'd2', name: 'District 2', level: 2, parentId: 'city' },
  { id: 's1', name: 'Street 1', level: 3, parentId: 'd1' },
  { id: 'g1', name: 'Grassroots 1', level: 4, parentId: 's1' },
  { id: 'g2', name: 'Grassroots 2', level: 4, parentId: 's1' },
  { id: 'g3', name: 'Grassroots 3', level: 4, parentId: 'd2' },
]);

export interface Env {
  redisServer: TestRedis;
  redis: Redis;
  store: SqliteEventStore;
  dir: string;
  runners: ProjectionRunner[];
  newRunner(over?: Partial<ProjectionRunnerOptions>): ProjectionRunner;
  close(): Promise<void>;
}

export async function setup(options: { tmpRoot?: string } = {}): Promise<Env> {
  const redisServer = await TestRedis.start();
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 50 });
  redis.on('error', () => undefined);
  const dir = mkdtempSync(join(options.tmpRoot ?? tmpdir(), 'hearth-rm-'));
  const store = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 10 });
  const runners: ProjectionRunner[] = [];
  const env: Env = {
    redisServer,
    redis,
    store,
    dir,
    runners,
    newRunner(over = {}) {
      const r = new ProjectionRunner({
        store,
        redis,
        projections: [new PetitionProjection({ org }), new AlertProjection()],
        idleCheckMs: 200,
        leaseTtlMs: 3000,
        logger: process.env.RM_DEBUG ? undefined : silentLogger,
        ...over,
      });
      runners.push(r);
      return r;
    },
    async close() {
      for (const r of runners) await r.stop();
      await store.close();
      redis.disconnect();
      await redisServer.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(last)} ${lastErr ?? ''}`);
    await sleep(25);
  }
}

/** Appends hand-written petition and deadline events with realistic metadata. */
export class CaseWriter {
  constructor(private readonly store: EventStore) {}

  async emit(
    streamId: string,
    type: string,
    data: unknown,
    at: string,
    actor: { id: string; role: string; orgUnit: string } = { id: 'officer-x', role: 'officer', orgUnit: 'g1' },
  ): Promise<number> {
    const commandId = randomUUID();
    const r = await this.store.append(
      streamId,
      [
        {
          id: randomUUID(),
          type,
          data,
          metadata: {
            actorId: actor.id,
            role: actor.role,
            orgUnit: actor.orgUnit,
            occurredAt: at,
            commandId,
            correlationId: commandId,
            causationId: commandId,
            schemaVersion: 1,
          },
        },
      ],
      'any',
    );
    return r.position;
  }

  register(
    id: string,
    o: { orgUnit: string; channel: string; category: string; receivedAt: string; collective?: boolean; urgent?: boolean; subject?: string },
  ): Promise<number> {
    return this.emit(
      `petition-${id}`,
      'PetitionRegistered',
      {
        petitionId: id,
        orgUnit: o.orgUnit,
        channel: o.channel,
        category: o.category,
        subject: o.subject ?? `拖欠工资 ${id}`,
        facts: '公司拖欠三个月工资，共计四万元。'.repeat(5),
        request: '请求工会协调追讨工资。',
        petitioners: [{ name: '张三', contact: '13800000000', idNumber: '110101199001011234' }],
        headcount: o.collective ? 6 : 1,
        identityKnown: true,
        collective: !!o.collective,
        urgent: !!o.urgent,
        receivedAt: o.receivedAt,
        receivedDate: o.receivedAt.slice(0, 10),
        jurisdiction: 'national',
        registeredBy: 'intake-1',
      },
      o.receivedAt,
      { id: 'intake-1', role: 'intake', orgUnit: o.orgUnit },
    );
  }

  open(id: string, deadlineId: string, kind: string, ownerOrgUnit: string, dueDate: string, at: string): Promise<number> {
    return this.emit(
      `petition-${id}`,
      'DeadlineOpened',
      {
        deadlineId,
        kind,
        duty: `${kind} duty`,
        ownerOrgUnit,
        startDate: at.slice(0, 10),
        days: 15,
        unit: 'calendar',
        dueDate,
        dueAt: `${dueDate}T16:00:00.000Z`,
        onExpiry: 'miss',
        legalBasis: '信访工作条例 art. 23',
        calendarVersion: 'cn-2025.1',
        calendarCovered: true,
      },
      at,
      { id: 'system', role: 'system', orgUnit: 'system' },
    );
  }

  missed(id: string, deadlineId: string, kind: string, ownerOrgUnit: string, dueDate: string, missedAt: string, level = 1): Promise<number> {
    return this.emit(
      `petition-${id}`,
      'DeadlineMissed',
      { deadlineId, kind, dueAt: `${dueDate}T16:00:00.000Z`, missedAt, ownerOrgUnit, escalateTo: org.lineage(ownerOrgUnit)[level] ?? null, level },
      missedAt,
      { id: 'system', role: 'system', orgUnit: 'system' },
    );
  }

  met(id: string, deadlineId: string, kind: string, at: string, late = false): Promise<number> {
    return this.emit(`petition-${id}`, 'DeadlineMet', { deadlineId, kind, metAt: at, late }, at);
  }
}

export const ts = (date: string, hh = 2): string => `${date}T${String(hh).padStart(2, '0')}:00:00.000Z`;

/**
 * Eight hand-made cases covering every counter and index (see the expectations in the specs).
 * Returns the head position.
 */
export async function writeScenario(w: CaseWriter): Promise<number> {
  const off = (u: string, id = `officer-${u}`) => ({ id, role: 'officer', orgUnit: u });
  const head = (u: string) => ({ id: `head-${u}`, role: 'head', orgUnit: u });
  const sup = (u: string) => ({ id: `sup-${u}`, role: 'supervisor', orgUnit: u });

  // P1 @g1 online/claim: accepted on time, handler officer-a, handling deadline open (due 2025-10-31).
  await w.register('p1', { orgUnit: 'g1', channel: 'online', category: 'claim', receivedAt: ts('2025-09-01') });
  await w.open('p1', 'acceptance-1', 'acceptance', 'g1', '2025-09-16', ts('2025-09-01'));
  await w.emit('petition-p1', 'PetitionAccepted', { acceptedAt: ts('2025-09-05'), signedBy: 'head-g1', legalBasis: 'art. 23', onTime: true }, ts('2025-09-05'), off('g1'));
  await w.met('p1', 'acceptance-1', 'acceptance', ts('2025-09-05'));
  await w.emit('petition-p1', 'HandlerAssigned', { officerId: 'officer-a', assignedBy: 'head-g1', assignedAt: ts('2025-09-05') }, ts('2025-09-05'), head('g1'));
  await w.open('p1', 'handling-1', 'handling', 'g1', '2025-10-31', ts('2025-09-05'));

  // P2 @g1 letter/suggestion: acceptance missed (→ s1), then accepted late: alert resolved, overdue back to 0.
  await w.register('p2', { orgUnit: 'g1', channel: 'letter', category: 'suggestion', receivedAt: ts('2025-09-02') });
  await w.open('p2', 'acceptance-1', 'acceptance', 'g1', '2025-09-17', ts('2025-09-02'));
  await w.missed('p2', 'acceptance-1', 'acceptance', 'g1', '2025-09-17', ts('2025-09-18'));
  await w.emit('petition-p2', 'PetitionAccepted', { acceptedAt: ts('2025-09-20'), signedBy: 'head-g1', legalBasis: 'art. 23', onTime: false }, ts('2025-09-20'), off('g1'));
  await w.met('p2', 'acceptance-1', 'acceptance', ts('2025-09-20'), true);
  await w.emit('petition-p2', 'HandlerAssigned', { officerId: 'officer-b', assignedBy: 'head-g1', assignedAt: ts('2025-09-20') }, ts('2025-09-20'), head('g1'));
  await w.open('p2', 'handling-1', 'handling', 'g1', '2025-11-16', ts('2025-09-20'));

  // P3 @g2 visit/claim, collective + urgent: acceptance missed (→ s1), acknowledged, still pending.
  await w.register('p3', { orgUnit: 'g2', channel: 'visit', category: 'claim', receivedAt: ts('2025-09-03'), collective: true, urgent: true });
  await w.open('p3', 'acceptance-1', 'acceptance', 'g2', '2025-09-18', ts('2025-09-03'));
  await w.missed('p3', 'acceptance-1', 'acceptance', 'g2', '2025-09-18', ts('2025-09-19'));
  await w.emit(
    'petition-p3',
    'EscalationAcknowledged',
    { deadlineId: 'acceptance-1', level: 1, acknowledgedBy: 'sup-s1', note: '已督促', acknowledgedAt: ts('2025-09-19', 6) },
    ts('2025-09-19', 6),
    sup('s1'),
  );

  // P4 @g3 hotline/accusation: not accepted on time, closed.
  await w.register('p4', { orgUnit: 'g3', channel: 'hotline', category: 'accusation', receivedAt: ts('2025-09-04') });
  await w.open('p4', 'acceptance-1', 'acceptance', 'g3', '2025-09-19', ts('2025-09-04'));
  await w.emit('petition-p4', 'PetitionNotAccepted', { decidedAt: ts('2025-09-06'), signedBy: 'head-g3', reason: '不属于受理范围', legalBasis: 'art. 23', onTime: true }, ts('2025-09-06'), off('g3'));
  await w.met('p4', 'acceptance-1', 'acceptance', ts('2025-09-06'));
  await w.emit('petition-p4', 'PetitionClosed', { reason: 'not_accepted', closedAt: ts('2025-09-06'), closedBy: 'head-g3' }, ts('2025-09-06'), head('g3'));

  // P5 @s1 online/claim: accepted, answered on time, review reversed, closed.
  await w.register('p5', { orgUnit: 's1', channel: 'online', category: 'claim', receivedAt: ts('2025-09-05') });
  await w.open('p5', 'acceptance-1', 'acceptance', 's1', '2025-09-20', ts('2025-09-05'));
  await w.emit('petition-p5', 'PetitionAccepted', { acceptedAt: ts('2025-09-06'), signedBy: 'head-s1', legalBasis: 'art. 23', onTime: true }, ts('2025-09-06'), off('s1'));
  await w.met('p5', 'acceptance-1', 'acceptance', ts('2025-09-06'));
  await w.emit('petition-p5', 'HandlerAssigned', { officerId: 'officer-a', assignedBy: 'head-s1', assignedAt: ts('2025-09-06') }, ts('2025-09-06'), head('s1'));
  await w.open('p5', 'handling-1', 'handling', 's1', '2025-11-05', ts('2025-09-06'));
  await w.emit('petition-p5', 'HandlingExtended', { reason: '情况复杂', days: 30, newDueDate: '2025-12-05', approvedBy: 'head-s1', legalBasis: 'art. 34', extendedAt: ts('2025-10-01') }, ts('2025-10-01'), head('s1'));
  await w.emit('petition-p5', 'DeadlineMoved', { deadlineId: 'handling-1', kind: 'handling', dueDate: '2025-12-05', dueAt: '2025-12-05T16:00:00.000Z', reason: 'extension', calendarVersion: 'cn-2025.1' }, ts('2025-10-01'), head('s1'));
  await w.emit(
    'petition-p5',
    'PetitionAnswered',
    { outcome: 'support', facts: '属实', legalBasis: 'art. 32', draftedBy: 'officer-a', approvedBy: 'head-s1', answeredAt: ts('2025-10-10'), onTime: true },
    ts('2025-10-10'),
    head('s1'),
  );
  await w.met('p5', 'handling-1', 'handling', ts('2025-10-10'));
  await w.emit('petition-p5', 'ReviewRequested', { reasons: '不服', requestedAt: ts('2025-10-15'), reviewBody: 'd1' }, ts('2025-10-15'), off('s1'));
  await w.emit(
    'petition-p5',
    'ReviewDecided',
    { outcome: 'reversed', facts: '复查', legalBasis: 'art. 35', decidedBy: 'head-d1', decidedAt: ts('2025-11-01'), onTime: true },
    ts('2025-11-01'),
    head('d1'),
  );
  await w.emit('petition-p5', 'PetitionClosed', { reason: 'resolved', closedAt: ts('2025-11-02'), closedBy: 'head-s1' }, ts('2025-11-02'), head('s1'));

  // P6 @d2 letter/claim: routed out on time, closed.
  await w.register('p6', { orgUnit: 'd2', channel: 'letter', category: 'claim', receivedAt: ts('2025-09-06') });
  await w.emit(
    'petition-p6',
    'PetitionRoutedOut',
    { decidedAt: ts('2025-09-07'), signedBy: 'head-d2', procedure: 'labour_arbitration', reason: '劳动争议', legalBasis: 'art. 31', onTime: true },
    ts('2025-09-07'),
    off('d2'),
  );
  await w.emit('petition-p6', 'PetitionClosed', { reason: 'routed_out', closedAt: ts('2025-09-07'), closedBy: 'head-d2' }, ts('2025-09-07'), head('d2'));

  // P7 @city online/suggestion: 交办 to g1 (due 09-20), missed at level 1 (→ s1) and 2 (→ d1); level 1 acknowledged.
  await w.register('p7', { orgUnit: 'city', channel: 'online', category: 'suggestion', receivedAt: ts('2025-09-07') });
  await w.emit(
    'petition-p7',
    'PetitionAssignedDown',
    { fromOrgUnit: 'city', toOrgUnit: 'g1', dueDate: '2025-09-20', instructions: '限期办结', assignedAt: ts('2025-09-08') },
    ts('2025-09-08'),
    off('city'),
  );
  await w.open('p7', 'assigned-1', 'assigned', 'g1', '2025-09-20', ts('2025-09-08'));
  await w.missed('p7', 'assigned-1', 'assigned', 'g1', '2025-09-20', ts('2025-09-21'));
  await w.missed('p7', 'assigned-1', 'assigned', 'g1', '2025-09-20', ts('2025-09-28'), 2);
  await w.emit(
    'petition-p7',
    'EscalationAcknowledged',
    { deadlineId: 'assigned-1', level: 1, acknowledgedBy: 'sup-s1', note: '已电话催办', acknowledgedAt: ts('2025-09-29') },
    ts('2025-09-29'),
    sup('s1'),
  );

  // P8 @d1 visit/claim: transferred to g2, acceptance deadline there (due 09-23).
  await w.register('p8', { orgUnit: 'd1', channel: 'visit', category: 'claim', receivedAt: ts('2025-09-08') });
  await w.emit(
    'petition-p8',
    'PetitionTransferred',
    { fromOrgUnit: 'd1', toOrgUnit: 'g2', reason: '属地管理', transferredAt: ts('2025-09-08', 5), receivedDate: '2025-09-08' },
    ts('2025-09-08', 5),
    off('d1'),
  );
  return w.open('p8', 'acceptance-1', 'acceptance', 'g2', '2025-09-23', ts('2025-09-08', 6));
}

/** Every read-model key under the prefix (key shown without the prefix) with its value, normalised (for "identical state" checks). */
export async function dumpState(redis: Redis, prefix = 'hearth:'): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let cursor = '0';
  const keys: string[] = [];
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  for (const k of keys.sort()) {
    if (k.includes(':lease:')) continue;
    const rel = k.slice(prefix.length);
    const type = await redis.type(k);
    if (type === 'string') out[rel] = await redis.get(k);
    else if (type === 'hash') out[rel] = Object.fromEntries(Object.entries(await redis.hgetall(k)).sort());
    else if (type === 'zset') out[rel] = await redis.zrange(k, 0, -1, 'WITHSCORES');
    else if (type === 'list') out[rel] = await redis.lrange(k, 0, -1);
    else out[rel] = type;
  }
  return out;
}

let refSeq = 0;
/** The state a fresh runner builds from the whole log, under a throw-away prefix (keys shown without it). */
export async function referenceState(env: Env): Promise<Record<string, unknown>> {
  const prefix = `ref${++refSeq}:`;
  const runner = env.newRunner({ prefix, name: 'reference' });
  runner.start();
  const head = await env.store.headPosition();
  if (!(await runner.waitFor(head, 15_000))) throw new Error('reference runner did not catch up');
  await runner.stop();
  const state = await dumpState(env.redis, prefix);
  // The reference has its own checkpoint name.
  state['ckpt:read-models'] = state['ckpt:reference'];
  delete state['ckpt:reference'];
  return state;
}
