import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@hearth/event-store/event-store.port';
import { compactId, PetitionQueries, requestRebuild } from '@hearth/read-models';
import { Env, eventually, setup } from './support';

const UNITS = ['g1', 'g2', 'g3', 's1'];
const CHANNELS = ['online', 'letter', 'visit', 'hotline'];
const CATEGORIES = ['suggestion', 'accusation', 'claim'];
const N = 4000;
/** Officers and intake staff are people: a pool, each handling many cases. */
const OFFICERS = Array.from({ length: 100 }, () => randomUUID());
const INTAKE = Array.from({ length: 20 }, () => randomUUID());

const ev = (type: string, data: unknown, at: string, actorId: string, orgUnit: string): NewEvent => {
  const commandId = randomUUID();
  return {
    id: randomUUID(),
    type,
    data,
    metadata: { actorId, role: 'officer', orgUnit, occurredAt: at, commandId, correlationId: commandId, causationId: commandId, schemaVersion: 1 },
  };
};

const deadline = (deadlineId: string, kind: string, owner: string, dueDate: string, at: string) =>
  ev(
    'DeadlineOpened',
    {
      deadlineId,
      kind,
      duty: kind,
      ownerOrgUnit: owner,
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
    'system',
    'system',
  );

describe('petition read model: memory per open case and rebuild speed', () => {
  let env: Env;
  let events = 0;

  beforeAll(async () => {
    env = await setup({ tmpRoot: existsSync('/dev/shm') ? '/dev/shm' : undefined });
    // Realistic open cases (9 events each), appended in 4 rounds so that the log interleaves cases as in real life.
    const cases = Array.from({ length: N }, (_, i) => ({
      id: randomUUID(),
      unit: UNITS[i % UNITS.length],
      officer: OFFICERS[i % OFFICERS.length],
      day: String(1 + (i % 28)).padStart(2, '0'),
    }));
    const rounds: Array<(c: (typeof cases)[number]) => NewEvent[]> = [
      (c) => {
        const at = `2025-09-${c.day}T02:00:00.000Z`;
        return [
          ev(
            'PetitionRegistered',
            {
              petitionId: c.id,
              orgUnit: c.unit,
              channel: CHANNELS[c.day.charCodeAt(1) % 4],
              category: CATEGORIES[c.day.charCodeAt(1) % 3],
              subject: '某物流公司拖欠三个月工资及加班费，要求工会协调解决',
              facts: '事实经过……'.repeat(40),
              request: '请求……'.repeat(10),
              petitioners: [{ name: '李四', contact: '13900000000', idNumber: '110101199001011234' }],
              headcount: 1,
              identityKnown: true,
              collective: false,
              urgent: false,
              receivedAt: at,
              receivedDate: at.slice(0, 10),
              jurisdiction: 'national',
              registeredBy: 'intake-1',
            },
            at,
            INTAKE[c.day.charCodeAt(1) % INTAKE.length],
            c.unit,
          ),
          deadline('acceptance-1', 'acceptance', c.unit, '2025-10-15', at),
        ];
      },
      (c) => {
        const at = `2025-10-01T02:00:00.000Z`;
        return [
          ev('PetitionReceiptNotified', { method: 'sms', notifiedAt: at }, at, c.officer, c.unit),
          ev('PetitionAccepted', { acceptedAt: at, signedBy: OFFICERS[0], legalBasis: 'art. 23', onTime: true }, at, c.officer, c.unit),
          ev('DeadlineMet', { deadlineId: 'acceptance-1', kind: 'acceptance', metAt: at, late: false }, at, c.officer, c.unit),
        ];
      },
      (c) => {
        const at = `2025-10-02T02:00:00.000Z`;
        return [
          ev('HandlerAssigned', { officerId: c.officer, assignedBy: OFFICERS[0], assignedAt: at }, at, c.officer, c.unit),
          deadline('handling-1', 'handling', c.unit, '2025-11-30', at),
        ];
      },
      (c) => {
        const at = `2025-10-05T02:00:00.000Z`;
        return [
          ev('ProgressRecorded', { note: '已约谈企业负责人', attachments: [], recordedBy: c.officer, recordedAt: at }, at, c.officer, c.unit),
          ev('ProgressRecorded', { note: '企业承诺分期支付', attachments: [], recordedBy: c.officer, recordedAt: at }, at, c.officer, c.unit),
        ];
      },
    ];
    for (const round of rounds) for (const c of cases) events += (await env.store.append(`petition-${c.id}`, round(c), 'any')) && round.length;
    events = (await env.store.headPosition());
  }, 60_000);
  afterAll(() => env.close());

  it('builds, measures bytes per open case (≤ 2 KB) and rebuild throughput', async () => {
    const head = await env.store.headPosition();
    const before = Number(/used_memory:(\d+)/.exec(await env.redis.info('memory'))![1]);
    const r = env.newRunner();
    let t0 = Date.now();
    r.start();
    expect(await r.waitFor(head, 30_000)).toBe(true);
    const firstBuildMs = Date.now() - t0;
    const after = Number(/used_memory:(\d+)/.exec(await env.redis.info('memory'))![1]);

    let cursor = '0';
    let bytes = 0;
    let keys = 0;
    const kinds: Record<string, number> = {};
    do {
      const [next, batch] = await env.redis.scan(cursor, 'MATCH', 'hearth:pet:*', 'COUNT', 1000);
      cursor = next;
      const p = env.redis.pipeline();
      for (const k of batch) p.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
      const res = (await p.exec())!;
      res.forEach(([, v], i) => {
        bytes += Number(v);
        const k = /^hearth:pet:(ix:[a-z]+|ctr)(:|$)/.exec(batch[i])?.[1] ?? 'doc';
        kinds[k] = (kinds[k] ?? 0) + Number(v);
      });
      keys += batch.length;
    } while (cursor !== '0');
    const docBytes = Number(await env.redis.call('MEMORY', 'USAGE', `hearth:pet:${compactId((await new PetitionQueries(env.redis).list({ orgUnit: 'g1', limit: 1 })).items[0].id)}`));
    const perCase = bytes / N;
    const perCaseUsed = (after - before) / N;

    // Rebuild from scratch while running.
    const rebuilds = r.stats().rebuilds;
    t0 = Date.now();
    await requestRebuild(env.redis);
    await eventually(
      async () => r.stats(),
      (s) => s.rebuilds > rebuilds && s.position === head,
      30_000,
    );
    const rebuildMs = Date.now() - t0;
    console.log(
      `read models: ${N} open cases, ${events} events, ${keys} keys; MEMORY USAGE sum ${bytes} B = ${perCase.toFixed(0)} B/case ` +
        `(one case document ${docBytes} B; used_memory delta ${perCaseUsed.toFixed(0)} B/case); ` +
        `first build ${firstBuildMs} ms (${Math.round((events / firstBuildMs) * 1000)} ev/s), rebuild ${rebuildMs} ms (${Math.round((events / rebuildMs) * 1000)} ev/s)`,
    );
    console.log(Object.entries(kinds).map(([k, v]) => `${k}: ${(v / N).toFixed(0)} B/case`).join(', '));
    expect(perCase).toBeLessThanOrEqual(2048);
    const c = await new PetitionQueries(env.redis).counters('city');
    expect(c.received).toBe(N);
    expect(c.accepted).toBe(N);
    const page = await new PetitionQueries(env.redis).list({ orgUnit: 'city', status: 'open', sort: 'due', limit: 5 });
    expect(page.total).toBe(N);
    expect(page.items[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    const detail = (await new PetitionQueries(env.redis).get(page.items[0].id))!;
    expect(detail.timeline).toHaveLength(9);
    expect(OFFICERS).toContain(detail.assignee);
    expect(OFFICERS).toContain(detail.timeline[8].actorId);
  }, 60_000);
});
