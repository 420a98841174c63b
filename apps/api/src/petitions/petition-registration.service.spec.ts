import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandBus } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { Actor, DecisionContext, defaultCalendar, defaultRuleBook, PetitionCommand, petitionDecider, repeatKeyDecider } from '@hearth/domain';
import { SqliteEventStore } from '@hearth/event-store/sqlite/sqlite-event-store';
import { CommandRunner } from '@hearth/platform/commands/command-runner';
import { HandleCaseCommand, HandleCaseCommandHandler } from '@hearth/platform/commands/case.commands';
import type { Clock } from '@hearth/platform/clock/clock';
import type { HearthConfig } from '@hearth/platform/config/hearth-config';
import { OrgRegistry } from '@hearth/platform/org/org-data';
import { RepeatPetitionProjection, subjectKey } from '@hearth/read-models';
import type { ProjectionBatch } from '@hearth/read-models/projection';
import { TestRedis } from '@hearth/testing/redis-server';
import { PetitionRegistration } from './petition-registration.service';
import { petitionerKeysOf, repeatKeyId } from './petitioner-keys';

/**
 * The repeat rule on a real SQLite log, the real deciders and a real Redis (only for the pre-repeat-key index):
 * simultaneous registrations of one person and subject end with one case holding the key and the other linked to
 * it; a case registered before repeat keys existed is found through the old index, checked against the log, and
 * adopted.
 */

const registry = new OrgRegistry({
  units: [
    { id: 'city', name: 'city', level: 1 },
    { id: 'east', name: 'east', level: 2, parentId: 'city' },
    { id: 'east-s1', name: 'east-s1', level: 3, parentId: 'east' },
    { id: 'west', name: 'west', level: 2, parentId: 'city' },
  ],
  users: [],
});
const who = (role: Actor['role'], orgUnit: string): Actor => ({ id: `${role}.${orgUnit}`, role, orgUnit });
const BLIND_KEY = 'test-blind-index-key-0123456789';
const clock: Clock = { speed: 1, now: () => new Date('2025-09-23T02:00:00.000Z'), realDelayUntil: () => 0 } as unknown as Clock;

const registration = (orgUnit: string, idNumber: string, subject: string): Extract<PetitionCommand, { type: 'RegisterPetition' }> => {
  const petitioners = [{ name: '某人', idNumber }];
  return {
    type: 'RegisterPetition',
    petitionId: randomUUID(),
    orgUnit,
    channel: 'visit',
    category: 'claim',
    subject,
    facts: '事实',
    request: '请求',
    petitioners,
    headcount: 1,
    identityKnown: true,
    petitionerKeys: petitionerKeysOf(petitioners, BLIND_KEY),
  };
};

describe('PetitionRegistration (repeat keys on the log)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let runner: CommandRunner;
  let redis: TestRedis;
  let client: Redis;
  let service: PetitionRegistration;
  const prefix = 'hearth-test:';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-repeat-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db') });
    const contextFor = (actor: Actor, now: string): DecisionContext => ({
      actor,
      now,
      calendar: defaultCalendar(),
      rules: defaultRuleBook(),
      org: registry.directory,
      jurisdiction: 'national',
    });
    runner = new CommandRunner(store, contextFor, clock);
    const handler = new HandleCaseCommandHandler(runner);
    const bus = { execute: (c: HandleCaseCommand) => handler.execute(c) } as unknown as CommandBus;
    redis = await TestRedis.start();
    client = new Redis(redis.url);
    const config = { blindIndexKey: BLIND_KEY, redisPrefix: prefix } as HearthConfig;
    service = new PetitionRegistration(bus, runner, store, registry, config, client);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const keyHolder = async (idNumber: string, subject: string) => {
    const [pk] = petitionerKeysOf([{ idNumber }], BLIND_KEY);
    return (await runner.stateOf(repeatKeyDecider, repeatKeyId(pk, subject))).state.holder?.petitionId;
  };
  const repeatsOn = async (id: string) => (await store.readStream(`petition-${id}`)).filter((e) => e.type === 'RepeatPetitionReceived');

  it('two simultaneous registrations: one case holds the key, the other is linked to it by Hearth', async () => {
    const a = registration('east-s1', '110101199001011237', '欠薪');
    const b = registration('west', '110101199001011237', '欠薪');
    const [ra, rb] = await Promise.all([service.register(a, ['110101199001011237'], who('intake', 'east-s1'), { commandId: randomUUID() }), service.register(b, ['110101199001011237'], who('intake', 'west'), { commandId: randomUUID() })]);
    // Neither may read the other's case: both get their own, with no repeatOf.
    expect([ra.repeatOf, rb.repeatOf]).toEqual([undefined, undefined]);
    const holder = await keyHolder('110101199001011237', '欠薪');
    expect([a.petitionId, b.petitionId]).toContain(holder);
    const other = holder === a.petitionId ? b.petitionId : a.petitionId;
    const linked = await repeatsOn(holder!);
    expect(linked.map((e) => [e.metadata.actorId, (e.data as { linkedPetitionId?: string }).linkedPetitionId])).toEqual([['system', other]]);
    expect(await repeatsOn(other)).toEqual([]);
  });

  it('a case registered before repeat keys existed is found by the old index, checked against the log and adopted', async () => {
    const idNumber = '110101198002021236';
    const legacy = registration('east-s1', idNumber, '工伤');
    // As the old controller did: the registration alone, no key claimed; the repeat index projects it.
    await runner.execute(petitionDecider, legacy.petitionId, legacy, who('intake', 'east-s1'), { commandId: randomUUID() });
    const tx = client.multi();
    await new RepeatPetitionProjection().apply({ events: await store.readStream(`petition-${legacy.petitionId}`), redis: client, tx, prefix, afterCommit: () => undefined } as unknown as ProjectionBatch);
    await tx.exec();
    expect(await keyHolder(idNumber, '工伤')).toBeUndefined();

    const again = registration('east', idNumber, '工伤');
    const r = await service.register(again, [idNumber], who('intake', 'east'), { commandId: randomUUID() });
    expect(r).toMatchObject({ id: legacy.petitionId, repeatOf: legacy.petitionId });
    expect(await keyHolder(idNumber, '工伤')).toBe(legacy.petitionId);
    // The index is only a hint: an entry naming a case whose registration does not carry this petitioner is ignored.
    const wrong = registration('east-s1', '110101197003031231', '社保');
    await runner.execute(petitionDecider, wrong.petitionId, wrong, who('intake', 'east-s1'), { commandId: randomUUID() });
    const [pk] = petitionerKeysOf([{ idNumber: '110101196004041230' }], BLIND_KEY);
    await client.set(`${prefix}pet:rep:${pk}:${subjectKey('社保')}`, wrong.petitionId);
    const fresh = await service.register(registration('east-s1', '110101196004041230', '社保'), ['110101196004041230'], who('intake', 'east-s1'), { commandId: randomUUID() });
    expect(fresh.repeatOf).toBeUndefined();
    expect(fresh.outcome.events).toContain('PetitionRegistered');
  });
});
