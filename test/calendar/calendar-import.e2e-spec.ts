import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

const run = promisify(execFile);
const redisGet = async (url: string, key: string): Promise<string | null> => {
  const r = new Redis(url);
  try {
    return await r.get(key);
  } finally {
    r.disconnect();
  }
};
const CLI = resolve(__dirname, '../../dist/apps/cli/src/main.js');

/**
 * Issue 13 end to end: on 2026-12-17 a petition's 15-day acceptance period runs into 2027, for which no arrangement
 * is loaded. It is counted with the statutory holidays (元旦 1/1 → Mon 1/4) and marked provisional; /health and an
 * alert to the city's admin name 2027. An operator loads 2027 with the CLI (test data: a hypothetical 1/1–1/4 break,
 * not the State Council's); the case's own decider recomputes the deadline (1/5), the history shows it, the timer
 * follows. A bad file is refused with its entries and changes nothing; loading the same file again over HTTP does
 * nothing; a Redis flush and restart keep the calendar.
 */
describe('holiday calendar loaded at run time (e2e, HTTP and CLI)', () => {
  let h: HearthUnderTest;
  let petitionId = '';
  const petition = {
    orgUnit: 'east-s1-g1',
    channel: 'letter',
    category: 'claim',
    subject: '拖欠工资',
    facts: '某公司拖欠工资两个月',
    request: '补发工资',
    petitioners: [{ name: '赵六' }],
    headcount: 1,
    identityKnown: true,
  };
  const file2027 = {
    year: 2027,
    papers: ['测试用2027年安排（假想）'],
    days: [
      { name: '元旦', date: '2027-01-01', isOffDay: true },
      { name: '元旦', date: '2027-01-02', isOffDay: true },
      { name: '元旦', date: '2027-01-03', isOffDay: true },
      { name: '元旦', date: '2027-01-04', isOffDay: true },
      { name: '春节', date: '2027-02-05', isOffDay: true },
      { name: '春节', date: '2027-02-20', isOffDay: false },
    ],
  };

  const cli = async (...args: string[]) => {
    const env = {
      ...process.env,
      HEARTH_JWT_SECRET: h.secret,
      HEARTH_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      HEARTH_DATA_DIR: h.dataDir,
      REDIS_URL: h.redis.url,
      HEARTH_TEST_CLOCK: 'redis',
      HEARTH_TEST_CLOCK_KEY: 'hearth-test:clock',
      HEARTH_LOG_LEVEL: 'warn',
    };
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env, timeout: 120_000 });
      return { code: 0, out: stdout + stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  };
  const historyOf = async (id: string) =>
    (await h.request('auditor.city', 'GET', `/petitions/${id}/history`)).body.events as { type: string; data: Record<string, unknown> }[];

  beforeAll(async () => {
    h = await HearthUnderTest.start({ controlledClock: true, clockStart: '2026-12-17T02:00:00.000Z' });
  });
  afterAll(async () => h?.stop());

  it('counts into 2027 provisionally, loads 2027 by the CLI, recomputes the open deadline and moves its timer', async () => {
    // The shipped years are in the log as revision 1; 2027 is missing.
    const before = await h.request('admin.city', 'GET', '/admin/calendars');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ version: 'cn:2025r1+2026r1', years: [{ year: 2025, revision: 1, format: 'shipped' }, { year: 2026, revision: 1, format: 'shipped' }] });
    expect((await h.request(null, 'GET', '/health')).body.calendar).toMatchObject({ status: 'missing_year', missingYears: [2027] });

    const reg = await h.request('intake.east-s1-g1', 'POST', '/petitions', petition);
    expect(reg.status).toBe(201);
    const id: string = reg.body.id;
    petitionId = id;
    const opened = (await historyOf(id)).find((e) => e.type === 'DeadlineOpened')!;
    expect(opened.data).toMatchObject({ dueDate: '2027-01-04', provisional: true, calendarVersion: 'cn:2025r1+2026r1' });
    const detail = await h.eventually(async () => {
      const r = await h.request('officer.east-s1-g1', 'GET', `/petitions/${id}`);
      return r.status === 200 && r.body;
    });
    expect(detail.deadlines).toEqual([expect.objectContaining({ deadlineId: 'acceptance-1', dueAt: '2027-01-04T16:00:00.000Z', provisional: true })]);

    // The worker tells the city's administrator which year is missing.
    const alert = await h.eventually(async () => {
      const r = await h.request('admin.city', 'GET', '/alerts');
      return (r.body.items ?? r.body).find?.((a: { kind: string }) => a.kind === 'calendarMissing');
    }, 60_000, 'the missing-year alert');
    expect(alert).toMatchObject({ calendarYear: 2027, targetOrgUnit: 'city', targetRole: 'admin', recipients: ['admin.city'] });

    // A bad file: every offending entry named, nothing recorded.
    const bad = await h.request('admin.city', 'POST', '/admin/calendars', {
      ...file2027,
      days: [...file2027.days, { name: '春节', date: '2027-02-29', isOffDay: true }, { name: '春节', date: '2027-02-22', isOffDay: false }, { name: '元旦', date: '2027-01-01', isOffDay: true }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['days[6].date', 'days[7].date', 'days[8].date']);
    expect((await h.request('admin.city', 'GET', '/admin/calendars')).body.years).toHaveLength(2);
    // Only the city's administrators load calendars; an administrator runs no case command and reads no case.
    expect((await h.request('head.city', 'POST', '/admin/calendars', file2027)).status).toBe(403);
    expect((await h.request('admin.city', 'GET', `/petitions/${id}`)).status).toBe(403);

    // The operator loads 2027 with the CLI, through the normal command path.
    const path = join(h.dataDir, 'holidays-2027.json');
    writeFileSync(path, JSON.stringify(file2027));
    const badPath = join(h.dataDir, 'bad.json');
    writeFileSync(badPath, JSON.stringify({ year: 2027, days: [{ name: '', date: '2027-13-01', isOffDay: true }] }));
    const refused = await cli('calendar', 'import', badPath);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/days\[0\]\.date/);
    const loaded = await cli('calendar', 'import', path);
    expect(loaded).toMatchObject({ code: 0 });
    expect(loaded.out).toMatch(/loaded 2027 revision 1/);

    // The case's decider recomputes: 1/4 is now off, the period ends on Tue 1/5; the flag is gone.
    const recomputed = await h.eventually(async () => (await historyOf(id)).find((e) => e.type === 'DeadlineRecomputed'), 60_000, 'DeadlineRecomputed');
    expect(recomputed.data).toMatchObject({
      deadlineId: 'acceptance-1',
      previousDueDate: '2027-01-04',
      dueDate: '2027-01-05',
      calendarVersion: 'cn:2025r1+2026r1+2027r1',
      provisional: false,
    });
    const after = await h.eventually(async () => {
      const r = await h.request('officer.east-s1-g1', 'GET', `/petitions/${id}`);
      return r.body.deadlines?.[0]?.dueAt === '2027-01-05T16:00:00.000Z' && r.body;
    });
    expect(after.deadlines[0].provisional).toBeUndefined();
    expect(after.timeline.map((t: { type: string }) => t.type)).toContain('DeadlineRecomputed');
    await h.eventually(async () => (await h.request(null, 'GET', '/health')).body.calendar.missingYears.length === 0, 30_000, 'health without a missing year');

    // Loading the same file again over HTTP changes nothing.
    const again = await h.request('admin.city', 'POST', '/admin/calendars', file2027);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ events: [], year: 2027, revision: 1 });

    // The timer follows: past the old due time nothing is missed; past the new one the deadline is missed, once.
    await h.advanceClock('2027-01-05T04:00:00.000Z');
    await h.advanceClock('2027-01-05T16:00:01.000Z');
    const missed = await h
      .eventually(async () => {
        const list = (await historyOf(id)).filter((e) => e.type === 'DeadlineMissed');
        return list.length > 0 && list;
      }, 60_000, 'DeadlineMissed')
      .catch(async (err) => {
        console.log(JSON.stringify((await historyOf(id)).map((e) => [e.type, e.data]), null, 1));
        throw err;
      });
    expect(missed.length).toBe(1);
    expect(missed[0].data).toMatchObject({ deadlineId: 'acceptance-1', dueAt: '2027-01-05T16:00:00.000Z' });
  });

  it('keeps the same calendar after a Redis flush and a restart (it is in the log)', async () => {
    const version = (await h.request('admin.city', 'GET', '/admin/calendars')).body.version;
    expect(version).toBe('cn:2025r1+2026r1+2027r1');
    await h.killWorker();
    await h.killApi();
    const redis = new Redis(h.redis.url);
    await redis.flushall();
    redis.disconnect();
    await h.startApi();
    await h.startWorker();
    const listed = await h.request('admin.city', 'GET', '/admin/calendars');
    expect(listed.body.version).toBe(version);
    expect(listed.body.years.map((y: { year: number; revision: number }) => `${y.year}r${y.revision}`)).toEqual(['2025r1', '2026r1', '2027r1']);
    // The recomputation sweep runs again after the flush (its checkpoint was in Redis) and appends nothing twice.
    await h.eventually(async () => (await redisGet(h.redis.url, 'hearth:ckpt:calendar-recompute')) !== null, 60_000, 'the sweep after the flush');
    expect((await historyOf(petitionId)).filter((e) => e.type === 'DeadlineRecomputed')).toHaveLength(1);
    const out = await cli('calendar', 'list');
    expect(out).toMatchObject({ code: 0 });
    expect(out.out).toMatch(/calendar in force: cn:2025r1\+2026r1\+2027r1/);
    expect(out.out).toMatch(/2027 r1 +holiday-cn/);
  });
});
