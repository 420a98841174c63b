import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

const ROOT = resolve(__dirname, '../..');

const petition = (name: string) => ({
  orgUnit: 'east-s1-g1',
  channel: 'visit',
  category: 'claim',
  subject: '拖欠工资',
  facts: '单位拖欠三个月工资',
  request: '支付工资',
  petitioners: [{ name }],
  headcount: 1,
  identityKnown: true,
});

/**
 * Backup under load, then restore, then verify: the copy is consistent while petitions keep arriving, the restored
 * deployment serves what the backup holds (personal values still decryptable: the key store came back too), and the
 * recorded head proves the copy; a changed copy is refused.
 */
describe('backup, restore, verify (e2e)', () => {
  let h: HearthUnderTest;
  let backups: string;

  const cli = (args: string[]): Promise<{ code: number | null; out: string }> =>
    new Promise((done) => {
      const env = {
        ...process.env,
        HEARTH_DATA_DIR: h.dataDir,
        HEARTH_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
        REDIS_URL: h.redis.url,
        HEARTH_LOG_LEVEL: 'warn',
      };
      const p = spawn(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (out += d.toString()));
      p.on('exit', (code) => done({ code, out }));
    });

  beforeAll(async () => {
    h = await HearthUnderTest.start({ separateWorker: false });
    backups = mkdtempSync(join(tmpdir(), 'hearth-backup-'));
  });
  afterAll(async () => {
    await h?.stop();
    if (backups) rmSync(backups, { recursive: true, force: true });
  });

  it('backs up under load, restores, and verifies against the recorded head', async () => {
    const register = async (name: string) => {
      const r = await h.request('intake.east-s1-g1', 'POST', '/petitions', petition(name));
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const before: string[] = [];
    for (let i = 0; i < 20; i++) before.push(await register(`甲${i}`));
    const historyOf = async (id: string) => (await h.request('officer.east-s1-g1', 'GET', `/petitions/${id}/history`)).body.events;
    const historyBefore = await historyOf(before[0]);
    expect(JSON.stringify(historyBefore)).toContain('甲0');

    // Load during the backup: 4 clients registering until the backup has finished.
    let running = true;
    const during: string[] = [];
    const load = Promise.all(
      [0, 1, 2, 3].map(async (c) => {
        for (let i = 0; running; i++) during.push(await register(`乙${c}-${i}`));
      }),
    );
    const out = join(backups, 'b1');
    const made = await cli(['backup', '--out', out]);
    running = false;
    await load;
    expect(made).toMatchObject({ code: 0 });
    expect(during.length).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.log.head.position).toBeGreaterThanOrEqual(before.length - 1);
    expect(manifest.keys).not.toBeNull();
    expect(made.out).toContain(`head ${manifest.log.head.position}:${manifest.log.head.logHash}`);
    const after = await register('丙');

    expect(await cli(['verify-backup', '--from', out])).toMatchObject({ code: 0 });
    // Restoring over a running deployment's files needs --force; stop Hearth first.
    await h.killApi();
    expect((await cli(['restore', '--from', out])).code).not.toBe(0);
    const restored = await cli(['restore', '--from', out, '--force']);
    expect(restored).toMatchObject({ code: 0 });
    expect(restored.out).toContain('derived Redis keys');

    await h.startApi();
    // What the backup holds is back, with its personal values readable (the key store was restored with the log).
    const first = await h.eventually(async () => {
      const r = await h.request('officer.east-s1-g1', 'GET', `/petitions/${before[0]}`);
      return r.status === 200 ? r.body : undefined;
    }, 60_000, 'the restored petition');
    expect(first.id).toBe(before[0]);
    expect(await historyOf(before[0])).toEqual(historyBefore);
    for (const id of before.slice(1)) expect((await h.request('officer.east-s1-g1', 'GET', `/petitions/${id}`)).status).toBe(200);
    // What came after the backup is not.
    expect((await h.request('officer.east-s1-g1', 'GET', `/petitions/${after}`)).status).toBe(404);
    const head = `${manifest.log.head.position}:${manifest.log.head.logHash}`;
    expect(await cli(['verify', '--head', head])).toMatchObject({ code: 0 });
  });

  it('refuses a backup whose log was changed', async () => {
    const out = join(backups, 'b2');
    expect((await cli(['backup', '--out', out])).code).toBe(0);
    expect((await cli(['backup', '--out', out])).code).not.toBe(0); // never into a folder that holds a backup
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    // Rewrite one event's data and its digest in the manifest: the digest passes, the hash chain does not.
    const db = new Database(join(out, 'hearth.sqlite'));
    db.prepare("UPDATE events SET data = json_set(data, '$.tampered', 1) WHERE position = (SELECT max(position) FROM events)").run();
    db.close();
    const bad = await cli(['verify-backup', '--from', out]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('BROKEN');
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ ...manifest, log: { ...manifest.log, sha256: 'x' } }));
    expect((await cli(['restore', '--from', out, '--force'])).code).toBe(1);
  });
});
