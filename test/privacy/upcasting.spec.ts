import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { petitionDecider, PetitionCommand } from '@hearth/domain';
import { eventIdFor, RecordedEvent } from '@hearth/event-store';
import { ERASED, petitionerKey } from '@hearth/platform/pii';
import { BLIND_KEY, PrivacyEnv, setupPrivacy, who } from './support';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Schema evolution: PetitionRegistered v1 stored `petitioners[].contact` as one string; v2 has `phone` and `email`.
 * v1 events written straight into the log (as an older Hearth wrote them) read back as v2 everywhere — the
 * application store, the projections' store, the global log, subscriptions — and the deciders fold them; the stored
 * rows stay as written.
 */
describe('event schema evolution: PetitionRegistered v1 → v2 (contact split into phone and email)', () => {
  let env: PrivacyEnv;
  const id = randomUUID();
  const stream = `petition-${id}`;

  beforeAll(async () => {
    env = setupPrivacy();
    // What the v1 code appended: the same decision, with the v1 petitioner shape and schema version 1, in the clear.
    const command: PetitionCommand = {
      type: 'RegisterPetition',
      petitionId: id,
      orgUnit: 'east-s1',
      channel: 'visit',
      category: 'claim',
      subject: '拖欠工资',
      facts: '拖欠三个月工资',
      request: '补发',
      petitioners: [{ name: '张三', idNumber: '110101199001011234' }, { name: '李四' }, { name: '王五' }],
      headcount: 3,
      identityKnown: true,
      petitionerKeys: [petitionerKey('110101199001011234', BLIND_KEY)],
    };
    const events = petitionDecider.decide(command, petitionDecider.initialState, env.contextFor(who('intake', 'east-s1'), '2025-09-23T02:00:00.000Z'));
    const v1 = events.map((e, i) => {
      const data =
        e.type === 'PetitionRegistered'
          ? {
              ...(e.data as object),
              petitioners: [
                { name: '张三', contact: '13800000000 / zhangsan@example.cn', idNumber: '110101199001011234' },
                { name: '李四', contact: 'lisi@example.cn' },
                { name: '王五' },
              ],
            }
          : e.data;
      const commandId = 'v1-register';
      return {
        id: eventIdFor(commandId, i),
        type: e.type,
        data,
        metadata: { actorId: 'intake.east-s1', role: 'intake', orgUnit: 'east-s1', occurredAt: '2025-09-23T02:00:00.000Z', commandId, correlationId: commandId, causationId: commandId, schemaVersion: 1 },
      };
    });
    await env.raw.append(stream, v1, 'no_stream');
  });

  afterAll(async () => env?.close());

  const registered = (events: RecordedEvent[]) => events.find((e) => e.type === 'PetitionRegistered')!;
  const v2Petitioners = [
    { name: '张三', phone: '13800000000', email: 'zhangsan@example.cn', idNumber: '110101199001011234' },
    { name: '李四', email: 'lisi@example.cn' },
    { name: '王五' },
  ];

  it('reads stored v1 events as v2 through every read path', async () => {
    for (const read of [
      () => env.store.readStream(stream),
      () => env.projectionStore.readStream(stream),
      () => env.store.readAll(),
      () => env.projectionStore.readAll({ direction: 'backwards' }),
    ]) {
      const e = registered(await read());
      expect(e.metadata.schemaVersion).toBe(2);
      expect((e.data as any).petitioners).toEqual(v2Petitioners);
    }
    const seen: RecordedEvent[] = [];
    const sub = env.store.subscribeToAll(async (events) => void seen.push(...events));
    const end = Date.now() + 5000;
    while (!seen.some((e) => e.type === 'PetitionRegistered') && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    await sub.stop();
    expect((registered(seen).data as any).petitioners).toEqual(v2Petitioners);
  });

  it('leaves the stored row as written (the log is never rewritten)', () => {
    const db = new Database(env.logFile, { readonly: true });
    const row = db.prepare("SELECT data, metadata FROM events WHERE type = 'PetitionRegistered' AND stream_id = ?").get(stream) as { data: string; metadata: string };
    db.close();
    expect(JSON.parse(row.metadata).schemaVersion).toBe(1);
    expect(JSON.parse(row.data).petitioners[0]).toEqual({ name: '张三', contact: '13800000000 / zhangsan@example.cn', idNumber: '110101199001011234' });
  });

  it('the decider folds a v1 stream and the case goes on', async () => {
    const out = await env.runner.execute(petitionDecider, id, { type: 'AcceptPetition', signedBy: 'head.east-s1' }, who('officer', 'east-s1'), { commandId: randomUUID() });
    expect(out.events).toContain('PetitionAccepted');
  });

  it('writes new PetitionRegistered events as v2 (phone and email encrypted), other types stay v1', async () => {
    const fresh = randomUUID();
    await env.runner.execute(
      petitionDecider,
      fresh,
      {
        type: 'RegisterPetition',
        petitionId: fresh,
        orgUnit: 'east-s1',
        channel: 'letter',
        category: 'claim',
        subject: '社保欠缴',
        facts: '单位未缴社保',
        request: '补缴',
        petitioners: [{ name: '钱六', phone: '13600000000', email: 'qianliu@example.cn' }],
        headcount: 1,
        identityKnown: true,
      },
      who('intake', 'east-s1'),
      { commandId: randomUUID() },
    );
    const db = new Database(env.logFile, { readonly: true });
    const rows = db.prepare('SELECT type, data, metadata FROM events WHERE stream_id = ? ORDER BY revision').all(`petition-${fresh}`) as Array<{ type: string; data: string; metadata: string }>;
    db.close();
    const versions = Object.fromEntries(rows.map((r) => [r.type, JSON.parse(r.metadata).schemaVersion]));
    expect(versions).toMatchObject({ PetitionRegistered: 2, DeadlineOpened: 1 });
    const stored = JSON.parse(rows[0].data).petitioners[0];
    expect(Object.keys(stored).sort()).toEqual(['email', 'name', 'phone']);
    expect(stored.phone).toMatchObject({ $pii: 1, r: 'petitioner' });
    expect(rows[0].data).not.toContain('13600000000');
    const [read] = await env.store.readStream(`petition-${fresh}`);
    expect((read.data as any).petitioners).toEqual([{ name: '钱六', phone: '13600000000', email: 'qianliu@example.cn' }]);
    expect((read.data as any).petitioners[0].phone).not.toBe(ERASED);
  });
});
