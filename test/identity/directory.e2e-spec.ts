import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../dist/apps/cli/src/main.js');

/**
 * Issue 14, the org directory as event-sourced data, over HTTP against the built api and worker: the demo org is
 * imported on a fresh log; an admin creates a unit and a user who signs in with a token and works a case; disabling
 * takes effect on the next request; every refusal (unknown unit or user, a cycle, a duplicate username, the last admin,
 * a unit with open cases and no successor, a bad password) appends nothing; `org import` again creates nothing.
 */
describe('org directory in the log (e2e)', () => {
  let h: HearthUnderTest;
  const cli = async (...args: string[]) => {
    const env = {
      ...process.env,
      HEARTH_JWT_SECRET: h.secret,
      HEARTH_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      HEARTH_DATA_DIR: h.dataDir,
      REDIS_URL: h.redis.url,
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
  /** Events in the log, counted by the CLI's read-only verification. */
  const logSize = async (): Promise<number> => {
    const r = await cli('verify', '--json');
    return (JSON.parse(r.out) as { checkedEvents: number }).checkedEvents;
  };
  const admin = (method: string, path: string, body?: unknown) => h.request('admin.city', method, path, body);
  const petition = {
    orgUnit: 'east-s3',
    channel: 'letter',
    category: 'claim',
    subject: '拖欠工资',
    facts: '某公司拖欠工资两个月',
    request: '补发工资',
    petitioners: [{ name: '赵六' }],
    headcount: 1,
    identityKnown: true,
  };

  beforeAll(async () => {
    h = await HearthUnderTest.start({ separateWorker: true });
  });
  afterAll(async () => h?.stop());

  it('imports the demo org on a fresh log: its users work as before, admins manage and read no case', async () => {
    expect((await h.request('officer.east', 'GET', '/petitions')).status).toBe(200);
    const units = await admin('GET', '/directory/units');
    expect(units.status).toBe(200);
    expect((units.body.items as { id: string }[]).map((u) => u.id)).toContain('east-s1-g1');
    const users = await admin('GET', '/directory/users');
    expect(JSON.stringify(users.body)).not.toContain('argon2');
    expect((await h.request('officer.east', 'GET', '/directory/users')).status).toBe(403);
    expect((await admin('GET', '/petitions')).status).toBe(403);
  });

  it('an admin creates a unit and a user, who works a case; refusals append nothing', async () => {
    expect((await admin('POST', '/directory/units', { unitId: 'east-s3', name: '东城区第3街道总工会', level: 3, parentId: 'east' })).status).toBe(201);
    const created = await admin('POST', '/directory/users', { userId: 'intake.east-s3', username: 'li.si', name: '李四', role: 'intake', orgUnit: 'east-s3', password: 'Zhiyuan-2026-ok' });
    expect(created.status).toBe(201);
    const reg = await h.request('intake.east-s3', 'POST', '/petitions', petition);
    expect(reg.status).toBe(201);

    const before = await logSize();
    const refusals: [string, string, unknown, number, string][] = [
      ['POST', '/directory/units', { unitId: 'east-s3', name: '别的名字', level: 3, parentId: 'east' }, 422, 'UNIT_EXISTS'],
      ['POST', '/directory/units', { unitId: 'x1', name: 'x', level: 3, parentId: 'ghost' }, 404, 'UNIT_NOT_FOUND'],
      ['POST', '/directory/units/east/move', { parentId: 'east-s1' }, 422, 'UNIT_CYCLE'],
      ['POST', '/directory/units/ghost/rename', { name: 'x' }, 404, 'UNIT_NOT_FOUND'],
      ['POST', '/directory/users', { userId: 'u2', username: 'LI.SI', name: '重名', role: 'officer', orgUnit: 'east', password: 'Zhiyuan-2026-ok' }, 422, 'USERNAME_TAKEN'],
      ['POST', '/directory/users', { userId: 'u3', username: 'wang', name: '王', role: 'officer', orgUnit: 'east', password: 'short' }, 400, 'VALIDATION_FAILED'],
      ['POST', '/directory/users', { userId: 'u4', username: 'wang', name: '王', role: 'boss', orgUnit: 'east', password: 'Zhiyuan-2026-ok' }, 400, 'VALIDATION_FAILED'],
      ['POST', '/directory/users/ghost/disable', {}, 404, 'USER_NOT_FOUND'],
      ['POST', '/directory/users/admin.city/role', { role: 'auditor' }, 422, 'LAST_ADMIN'],
      ['POST', '/directory/users/intake.east-s3/move', { orgUnit: 'ghost' }, 404, 'UNIT_NOT_FOUND'],
    ];
    for (const [method, path, body, status, code] of refusals) {
      const r = await admin(method, path, body);
      expect({ path, status: r.status, code: r.body?.code }).toEqual({ path, status, code });
    }
    // An admin of a district manages only its subtree; case roles manage nothing.
    expect((await h.request('officer.east', 'POST', '/directory/units/east-s3/rename', { name: 'x' })).status).toBe(403);
    expect(await logSize()).toBe(before);
  });

  it('disabling takes effect on the next request; closing a unit with open cases needs a successor', async () => {
    expect((await h.request('intake.east-s3', 'GET', '/petitions')).status).toBe(200);
    expect((await admin('POST', '/directory/users/intake.east-s3/disable', { reason: '离职' })).status).toBe(200);
    const denied = await h.request('intake.east-s3', 'GET', '/petitions');
    expect({ status: denied.status, code: denied.body.code }).toEqual({ status: 401, code: 'TOKEN_INVALID' });

    // The petition registered at east-s3 is open: no close without a successor.
    await h.eventually(async () => ((await h.request('officer.east', 'GET', '/petitions?status=open&limit=100')).body.items as { orgUnit: string }[]).some((p) => p.orgUnit === 'east-s3'));
    const before = await logSize();
    const refused = await admin('POST', '/directory/units/east-s3/close', {});
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 422, code: 'UNIT_HAS_OPEN_CASES' });
    expect(await logSize()).toBe(before);
    expect((await admin('POST', '/directory/units/east-s3/close', { successorId: 'east' })).status).toBe(200);
  });

  it('people named in commands are real: an unknown, wrong-role or out-of-line signer or handler is 422 and appends nothing', async () => {
    const reg = await h.request('intake.east-s1-g1', 'POST', '/petitions', { ...petition, orgUnit: 'east-s1-g1' });
    expect(reg.status).toBe(201);
    const id: string = reg.body.id;
    const before = await logSize();
    for (const signedBy of ['nobody', 'officer.east-s1-g1', 'head.west', 'head.east-s2-g1']) {
      const r = await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/acceptance`, { signedBy });
      expect({ signedBy, status: r.status, code: r.body.code }).toEqual({ signedBy, status: 422, code: 'SIGNER_INVALID' });
    }
    expect(await logSize()).toBe(before);
    expect((await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/acceptance`, { signedBy: 'head.east-s1' })).status).toBe(200);
    const nobody = await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/handler`, { officerId: 'nobody' });
    expect({ status: nobody.status, code: nobody.body.code }).toEqual({ status: 422, code: 'HANDLER_INVALID' });
    expect((await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/handler`, { officerId: 'officer.east-s1-g1' })).status).toBe(200);
  });

  it('org import again creates nothing, sets the missing passwords and prints the generated one; a restart keeps the directory', async () => {
    const r = await cli('org', 'import', resolve(__dirname, '../../config/demo-org.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0 units and 0 users created, [1-9]\d* passwords set/);
    expect(r.out).toMatch(/password of the imported users .*: \S{19}/);
    const again = await cli('org', 'import', resolve(__dirname, '../../config/demo-org.json'));
    expect(again.out).toContain('0 units and 0 users created, 0 passwords set');
    await h.killApi();
    await h.startApi();
    const users = (await admin('GET', '/directory/users')).body.items as { id: string; active: boolean }[];
    expect(users.find((u) => u.id === 'intake.east-s3')).toMatchObject({ active: false });
  }, 240_000);
});
