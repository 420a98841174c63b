import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

const ROOT = resolve(__dirname, '../..');

/**
 * A rebuild reports events done, rate and time left, in the admin API and in `hearth rebuild --wait`. The worker is
 * stopped while the rebuild is requested, so the request is certain to be seen before it completes.
 */
describe('rebuild progress (e2e)', () => {
  let h: HearthUnderTest;
  beforeAll(async () => {
    h = await HearthUnderTest.start({ separateWorker: true });
  });
  afterAll(async () => h?.stop());

  it('shows progress in GET /admin/read-models and in the CLI until the switch', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await h.request('intake.east-s1-g1', 'POST', '/petitions', {
        orgUnit: 'east-s1-g1', channel: 'visit', category: 'claim', subject: '拖欠工资', facts: '…', request: '…', petitioners: [{ name: `丁${i}` }], headcount: 1, identityKnown: true,
      });
      expect(r.status).toBe(201);
    }
    await h.eventually(async () => (await h.request('head.city', 'GET', '/admin/read-models')).body.position >= 5 || undefined, 30_000, 'the read models to catch up');
    await h.killWorker();

    const cli = spawn(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), 'rebuild', '--wait'], {
      cwd: ROOT,
      env: { ...process.env, HEARTH_DATA_DIR: h.dataDir, REDIS_URL: h.redis.url, HEARTH_JWT_SECRET: h.secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
    cli.on('exit', (code, signal) => (out += `[exited ${code} ${signal}]`));
    cli.on('error', (err) => (out += `[error ${err.message}]`));

    const status = await h.eventually(async () => {
      const s = (await h.request('head.city', 'GET', '/admin/read-models')).body;
      return s.rebuild ? s : undefined;
    }, 20_000, 'the rebuild request').catch((err: Error) => {
      throw new Error(`${err.message.split('\n')[0]}; the CLI said: ${out}`);
    });
    expect(status.progress).toMatchObject({ done: 0, total: status.headPosition, percent: 0, ratePerSecond: null, secondsLeft: null });
    await h.eventually(async () => /events \(0 %\)/.test(out) || undefined, 20_000, 'a progress line from the CLI').catch((err: Error) => {
      throw new Error(`${err.message.split('\n')[0]}; the CLI said: ${out}`);
    });

    await h.startWorker();
    expect(await exited).toBe(0);
    expect(out).toMatch(/switched: generation \d+ is active/);
    const after = (await h.request('head.city', 'GET', '/admin/read-models')).body;
    expect(after.rebuild).toBeUndefined();
    expect(after.progress).toBeUndefined();
  });
});
