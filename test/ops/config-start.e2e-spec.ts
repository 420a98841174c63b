import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** Starts a built entry point with one bad variable; resolves with its exit code and stderr. */
function startWith(main: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [join(ROOT, main)], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => done({ code, stderr }));
  });
}

describe('a bad variable stops the start, naming it (built api and worker)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-cfg-'));
  const env = { HEARTH_DATA_DIR: dir, HEARTH_JWT_SECRET: 'config-test-secret-0123', HEARTH_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'), REDIS_URL: 'redis://127.0.0.1:1' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('api: HEARTH_PORT=30OO', async () => {
    const r = await startWith('dist/apps/api/src/main.js', { ...env, HEARTH_PORT: '30OO' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HEARTH_PORT: expected an integer port 1–65535, got "30OO"');
    expect(r.stderr).not.toContain('config-test-secret-0123');
  });

  it('worker: HEARTH_EMBEDDED_WORKER=maybe and a short secret', async () => {
    const r = await startWith('dist/apps/worker/src/main.js', { ...env, HEARTH_EMBEDDED_WORKER: 'maybe', HEARTH_JWT_SECRET: 'short' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('HEARTH_EMBEDDED_WORKER');
    expect(r.stderr).toContain('HEARTH_JWT_SECRET: expected at least 16 characters');
  });
});
