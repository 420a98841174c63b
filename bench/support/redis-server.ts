import { spawn, ChildProcess, execFileSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function redisServerBinary(): string {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(`redis-server not found (${bin}); install it (scripts/start.sh does) or set REDIS_SERVER_BIN`);
  }
  return bin;
}

/**
 * A redis-server owned by the bench (one per scenario, so memory figures start from an empty server), on a free
 * port, keeping nothing on disk — like the Redis `scripts/start.sh` starts for the embedded default.
 */
export class BenchRedis {
  private proc?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'hearth-bench-redis-'));
  private constructor(readonly port: number) {}

  static async start(): Promise<BenchRedis> {
    const r = new BenchRedis(await freePort());
    // The settings scripts/start.sh starts its Redis with (hash-max-listpack-value 512: compact BullMQ job hashes).
    const args = ['--port', String(r.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--hash-max-listpack-value', '512', '--dir', r.dir, '--loglevel', 'warning'];
    const proc = spawn(redisServerBinary(), args, { stdio: ['ignore', 'ignore', 'inherit'] });
    r.proc = proc;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
      if (await ping(r.port)) return r;
      if (Date.now() > deadline) throw new Error('redis-server did not start within 10 s');
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await exited;
    }
    this.proc = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d: Buffer) => {
      sock.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    sock.once('error', () => resolve(false));
  });
}
