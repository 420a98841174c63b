import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './redis-server';

/**
 * Where PostgreSQL's server programs are: PG_BIN_DIR, else `initdb` on the PATH, else the newest Debian install
 * (/usr/lib/postgresql/<ver>/bin, which Debian keeps off the PATH). scripts/test.sh installs Debian's `postgresql`.
 */
export function postgresBinDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    // /usr/local/bin may hold links to initdb alone: the folder of its target has the other programs too.
    if (initdb) return dirname(realpathSync(initdb));
  } catch {
    // not on the PATH: look where Debian puts it
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error('PostgreSQL server binaries not found (initdb); run scripts/test.sh, which installs them, or set PG_BIN_DIR');
  return join(root, versions[0], 'bin');
}

/** initdb and postgres refuse to run as root: as root, run them as Debian's `postgres` user (no wrapper process). */
const serverUser = (): { uid: number; gid: number } | Record<string, never> =>
  process.getuid?.() === 0 ? { uid: uidOf('postgres'), gid: gidOf('postgres') } : {};

/**
 * A private PostgreSQL cluster owned by one test file: `initdb` into a temporary folder, the server on a free
 * loopback port with its unix socket in that folder, trust authentication for the test user only, fsync on (the
 * durability the adapter relies on is what is tested). Never touches a server it did not start.
 * Tests can stop it (clean shutdown), kill it (SIGKILL: a crash) and start it again on the same port and data.
 */
export class TestPostgres {
  private proc?: ChildProcess;
  private stderr = '';
  readonly user = 'hearth';
  readonly database = 'hearth';

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  static async start(): Promise<TestPostgres> {
    const bin = postgresBinDir();
    const dir = mkdtempSync(join(tmpdir(), 'hearth-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
    const pg = new TestPostgres(await freePort(), dir, bin);
    try {
      // -N: initdb's own files are not fsynced (a test cluster is thrown away); the *server* keeps fsync on.
      execFileSync(join(bin, 'initdb'), ['-D', pg.dataDir, '-U', pg.user, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '-N'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        cwd: dir,
        ...serverUser(),
      });
      await pg.startProcess();
      await pg.psql('postgres', `CREATE DATABASE ${pg.database}`);
    } catch (err) {
      await pg.stop();
      throw err;
    }
    return pg;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** TCP on loopback (what the adapter is given in production). */
  get url(): string {
    return `postgres://${this.user}@127.0.0.1:${this.port}/${this.database}`;
  }

  /** A URL of another database of this cluster (created on demand by `createDatabase`). */
  urlOf(database: string): string {
    return `postgres://${this.user}@127.0.0.1:${this.port}/${database}`;
  }

  /** A fresh, empty database: each contract test gets its own log. */
  async createDatabase(name: string): Promise<string> {
    await this.psql('postgres', `CREATE DATABASE ${name}`);
    return this.urlOf(name);
  }

  private async startProcess(): Promise<void> {
    const args = [
      '-D', this.dataDir,
      '-p', String(this.port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${this.dir}`,
      '-c', 'fsync=on',
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=64MB',
      '-c', 'log_min_messages=warning',
    ];
    this.stderr = '';
    const proc = spawn(join(this.bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: this.dir, ...serverUser() });
    proc.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.proc = proc;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`postgres exited with ${proc.exitCode}: ${this.stderr}`);
      if (this.ready()) return;
      if (Date.now() > deadline) throw new Error(`postgres did not start within 30 s: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private ready(): boolean {
    try {
      execFileSync(join(this.bin, 'pg_isready'), ['-h', this.dir, '-p', String(this.port), '-U', this.user, '-d', 'postgres', '-q'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  /** Runs SQL as the test user through the cluster's own socket. */
  async psql(database: string, sql: string): Promise<string> {
    return execFileSync(join(this.bin, 'psql'), ['-h', this.dir, '-p', String(this.port), '-U', this.user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(sig);
    await exited;
    this.proc = undefined;
    if (sig === 'SIGKILL') await this.waitForBackendsGone();
  }

  /**
   * After a SIGKILL of the postmaster its backends exit on their own; a restart must wait for them (postgres refuses to
   * start while they hold the old shared memory). They are the processes whose working folder is the data folder.
   */
  private async waitForBackendsGone(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const attached = readdirSync('/proc').filter((pid) => {
        if (!/^\d+$/.test(pid)) return false;
        try {
          // A zombie holds no shared memory any more.
          if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return false;
          return readlinkSync(`/proc/${pid}/cwd`) === this.dataDir;
        } catch {
          return false;
        }
      });
      if (attached.length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: an unclean crash; the next start runs crash recovery from the WAL. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** Fast shutdown: clients are disconnected, the data stays. */
  shutdown(): Promise<void> {
    return this.signal('SIGINT');
  }

  async restart(): Promise<void> {
    await this.shutdown();
    await this.startProcess();
  }

  /** Starts a stopped or killed server again on the same port and data. */
  async resume(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) return;
    // A killed postmaster leaves its pid file behind; postgres removes a stale one itself.
    await this.startProcess();
  }

  /** Stops the server and removes its folder. */
  async stop(): Promise<void> {
    await this.shutdown().catch(() => undefined);
    if (this.proc) await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function idOf(flag: '-u' | '-g', user: string): number {
  return Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
}
const uidOf = (user: string): number => idOf('-u', user);
const gidOf = (user: string): number => idOf('-g', user);
