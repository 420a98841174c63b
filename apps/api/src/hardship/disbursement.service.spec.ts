import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandBus } from '@nestjs/cqrs';
import {
  Actor,
  addDays,
  AidKind,
  DecisionContext,
  defaultCalendar,
  dibaoLineFragment,
  FundCommand,
  fundDecider,
  HardshipCommand,
  hardshipFileDecider,
  HouseholdStats,
  mergeRuleFragments,
  RULE_TABLES,
  RuleBook,
  SYSTEM_ACTOR,
} from '@hearth/domain';
import { SqliteEventStore } from '@hearth/event-store/sqlite/sqlite-event-store';
import { CommandMeta, CommandRunner } from '@hearth/platform/commands/command-runner';
import { HandleCaseCommand, HandleCaseCommandHandler } from '@hearth/platform/commands/case.commands';
import type { Clock } from '@hearth/platform/clock/clock';
import { OrgRegistry } from '@hearth/platform/org/org-data';
import type { AnyDecider } from '@hearth/platform/commands/decider-registry';
import { DisbursementService } from './disbursement.service';

/**
 * The disburse orchestration on a real SQLite log and the real deciders. The command bus is the real handler
 * behind a hook that can make one step fail, as a crash between the two appends would.
 */

const registry = new OrgRegistry({
  units: [
    { id: 'city', name: 'city', level: 1 },
    { id: 'dist', name: 'dist', level: 2, parentId: 'city' },
    { id: 'street', name: 'street', level: 3, parentId: 'dist' },
    { id: 'g1', name: 'g1', level: 4, parentId: 'street' },
    { id: 'other', name: 'other', level: 2, parentId: 'city' },
  ],
  users: [],
});
const rules = new RuleBook(mergeRuleFragments([...RULE_TABLES, dibaoLineFragment('national', '2025-01-01', [{ orgUnit: 'city', year: 2025, yuan: 1400 }])]));
const calendar = defaultCalendar();
const DEEP: HouseholdStats = { membersCount: 3, monthlyIncomeYuan: 2000, rigidExpenses: { medicalYuan: 500 }, migrantWorker: false, monthsEmployed: 60 };
const who = (role: Actor['role'], orgUnit: string): Actor => ({ id: `${role}.${orgUnit}`, role, orgUnit });
const officer = who('officer', 'g1');
const head = who('head', 'g1');
const at = (date: string, hh = 10) => new Date(`${date}T${String(hh).padStart(2, '0')}:00:00+08:00`).toISOString();

class HandClock implements Clock {
  readonly speed = 1;
  t = Date.parse(at('2025-03-01'));
  now(): Date {
    return new Date(this.t);
  }
  realDelayUntil(): number {
    return 0;
  }
}

describe('DisbursementService (draw from the fund, then record on the file)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let runner: CommandRunner;
  let service: DisbursementService;
  const clock = new HandClock();
  /** Called before each command reaches the handler; throw to make that step fail. */
  let hook: (c: HandleCaseCommand) => Promise<void> = async () => undefined;

  const run = (category: 'hardship' | 'fund', id: string, command: HardshipCommand | FundCommand, actor: Actor, when?: string) => {
    if (when) clock.t = Date.parse(when);
    const decider = (category === 'hardship' ? hardshipFileDecider : fundDecider) as AnyDecider;
    return runner.execute(decider, id, command, actor, { commandId: randomUUID() });
  };
  const meta = (): CommandMeta => ({ commandId: randomUUID() });
  const types = async (streamId: string) => (await store.readStream(streamId)).map((e) => e.type);
  const fundState = async (id: string) => (await runner.stateOf(fundDecider, id)).state;
  const fileState = async (id: string) => (await runner.stateOf(hardshipFileDecider, id)).state;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-disburse-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db') });
    const contextFor = (actor: Actor, now: string): DecisionContext => ({ actor, now, calendar, rules, org: registry.directory, jurisdiction: 'national' });
    runner = new CommandRunner(store, contextFor, clock);
    const handler = new HandleCaseCommandHandler(runner);
    const bus = {
      execute: async (c: HandleCaseCommand) => {
        await hook(c);
        return handler.execute(c);
      },
    } as unknown as CommandBus;
    service = new DisbursementService(bus, runner, registry, clock);

    await run('fund', 'f1', { type: 'OpenFund', fundId: 'f1', year: 2025, source: 'union_dues', budgetYuan: 10000, orgUnit: 'dist' }, who('head', 'dist'), at('2025-01-05'));
    const day = '2025-03-01';
    const steps: Array<[HardshipCommand, Actor, string]> = [
      [{ type: 'ApplyForHardshipFile', fileId: 'h1', orgUnit: 'g1', stats: DEEP, personal: { headName: '甲', idNumber: '110101198001010011', members: [] } }, officer, at(day)],
      [{ type: 'PreScreen' }, officer, at(day, 11)],
      [{ type: 'RecordHomeVisit', visitDate: day, visitors: ['officer.g1'] }, officer, at(day, 12)],
      [{ type: 'RecordConsent', signedDate: day, scopes: ['collect'] }, officer, at(day, 13)],
      [{ type: 'RecordEconomicCheck', stats: DEEP, sources: ['civil_affairs'] }, officer, at(day, 14)],
      [{ type: 'StartPublicNotice', days: 5 }, officer, at(day, 15)],
      [{ type: 'ExpireDeadline', deadlineId: 'publicNotice-1' }, SYSTEM_ACTOR, at(addDays(day, 6), 1)],
      [{ type: 'RegisterFile' }, head, at(addDays(day, 6))],
    ];
    for (const [c, a, t] of steps) await run('hardship', 'h1', c, a, t);
    clock.t = Date.parse(at('2025-03-10'));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    hook = async () => undefined;
  });

  const approved = async (aidId: string, amountYuan: number, kind: AidKind = 'living') => {
    await run('hardship', 'h1', { type: 'ProposeAid', aidId, kind, amountYuan, fundId: 'f1' }, officer);
    await run('hardship', 'h1', { type: 'ApproveAid', aidId }, head);
  };

  it('draws, then records; a retry of the same request replays both steps', async () => {
    await approved('a1', 1000);
    const m = meta();
    const first = await service.disburse('h1', 'a1', { reference: 'V-1' }, officer, m);
    expect(first).toMatchObject({ id: 'h1', aidId: 'a1', fundId: 'f1', events: ['AidDisbursed'], fundEvents: ['FundDrawn'], replayed: false });
    const again = await service.disburse('h1', 'a1', { reference: 'V-1' }, officer, m);
    expect(again).toMatchObject({ events: ['AidDisbursed'], replayed: true, revision: first.revision });
    expect((await types('fund-f1')).filter((t) => t === 'FundDrawn')).toHaveLength(1);
    // A new request for a paid aid is refused by the file and draws nothing.
    await expect(service.disburse('h1', 'a1', {}, officer, meta())).rejects.toMatchObject({ code: 'INVALID_AID_TRANSITION' });
    expect((await fundState('f1')).drawnFen).toBe(100000);
  });

  it('completes a half-done disbursement (drawn, not recorded) without drawing twice — same request or a new one', async () => {
    for (const [aidId, sameRequest] of [
      ['a2', true],
      ['a3', false],
    ] as const) {
      await approved(aidId, 500);
      hook = async (c) => {
        if (c.command.type === 'RecordDisbursement') throw new Error('process killed between the two appends');
      };
      const m = meta();
      await expect(service.disburse('h1', aidId, {}, officer, m)).rejects.toThrow('process killed');
      hook = async () => undefined;
      expect((await fundState('f1')).draws[aidId]).toMatchObject({ returned: false });
      expect((await fileState('h1')).aids[aidId].status).toBe('Approved');

      const done = await service.disburse('h1', aidId, {}, officer, sameRequest ? m : meta());
      expect(done).toMatchObject({ events: ['AidDisbursed'], fundEvents: [], replayed: false });
      expect((await fileState('h1')).aids[aidId].status).toBe('Disbursed');
    }
    const draws = (await store.readStream('fund-f1')).filter((e) => e.type === 'FundDrawn').map((e) => (e.data as { aidId: string }).aidId);
    expect(draws).toEqual(['a1', 'a2', 'a3']);
    expect((await fundState('f1')).drawnFen).toBe(200000);
  });

  it('returns a fresh draw when the file refuses the disbursement (aid revoked in between)', async () => {
    await approved('a4', 700);
    hook = async (c) => {
      if (c.command.type === 'RecordDisbursement') {
        hook = async () => undefined;
        await run('hardship', 'h1', { type: 'RevokeAid', aidId: 'a4', reason: '情况变化' }, head);
      }
    };
    await expect(service.disburse('h1', 'a4', {}, officer, meta())).rejects.toMatchObject({ code: 'INVALID_AID_TRANSITION' });
    expect((await fundState('f1')).draws.a4).toMatchObject({ returned: true });
    expect((await fundState('f1')).drawnFen).toBe(200000);
  });

  it('revoking a paid aid returns its money; a revocation cut short is completed by its retry', async () => {
    await approved('a5', 800);
    await service.disburse('h1', 'a5', {}, officer, meta());
    expect((await fundState('f1')).drawnFen).toBe(280000);
    hook = async (c) => {
      if (c.command.type === 'ReturnToFund') throw new Error('process killed after the revocation');
    };
    const m = meta();
    await expect(service.revoke('h1', 'a5', '重复领取', head, m)).rejects.toThrow('process killed');
    hook = async () => undefined;
    expect((await fileState('h1')).aids.a5.status).toBe('Revoked');
    expect((await fundState('f1')).draws.a5.returned).toBe(false);
    const retried = await service.revoke('h1', 'a5', '重复领取', head, m);
    expect(retried).toMatchObject({ events: ['AidRevoked'], fundEvents: ['FundReturned'], replayed: true });
    expect((await fundState('f1')).drawnFen).toBe(200000);
    // Nothing more to return on a further retry.
    expect(await service.revoke('h1', 'a5', '重复领取', head, m)).not.toHaveProperty('fundEvents');
  });

  it('checks role and org scope before any money moves', async () => {
    await approved('a6', 100);
    const before = (await fundState('f1')).drawnFen;
    await expect(service.disburse('h1', 'a6', {}, who('intake', 'g1'), meta())).rejects.toMatchObject({ code: 'ROLE_NOT_ALLOWED' });
    await expect(service.disburse('h1', 'a6', {}, who('officer', 'other'), meta())).rejects.toMatchObject({ code: 'OUTSIDE_ORG_SUBTREE' });
    await expect(service.disburse('h1', 'nope', {}, officer, meta())).rejects.toMatchObject({ code: 'AID_NOT_FOUND' });
    await expect(service.disburse('h2', 'a6', {}, officer, meta())).rejects.toMatchObject({ code: 'HARDSHIP_FILE_NOT_FOUND' });
    await expect(service.disburse('h1', 'a6', {}, officer, { ...meta(), expectedRevision: 0 })).rejects.toMatchObject({ name: 'ConcurrencyConflict' });
    expect((await fundState('f1')).drawnFen).toBe(before);
  });

  it('many parallel disbursements never overdraw the fund, and every disbursed aid has its draw', async () => {
    // Left: 10,000 − 2,000 = 8,000 yuan → exactly 16 of 30 aids of 500 fit.
    const ids = Array.from({ length: 30 }, (_, i) => `p${i}`);
    for (const id of ids) await approved(id, 500);
    const results = await Promise.allSettled(ids.map((id) => service.disburse('h1', id, {}, officer, meta())));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(16);
    expect(refused.map((r) => (r.reason as { code?: string }).code)).toEqual(Array(14).fill('FUND_OVERDRAWN'));
    const f = await fundState('f1');
    expect(f.drawnFen).toBe(f.budgetFen);
    const s = await fileState('h1');
    const paid = ids.filter((id) => s.aids[id].status === 'Disbursed');
    expect(paid).toHaveLength(16);
    for (const id of paid) expect(f.draws[id]).toMatchObject({ returned: false, fileId: 'h1' });
    for (const id of ids.filter((i) => !paid.includes(i))) {
      expect(s.aids[id].status).toBe('Approved');
      expect(f.draws[id]).toBeUndefined();
    }
  });
});
