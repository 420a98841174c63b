import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import Redis from 'ioredis';
import { ChainHead, verifyLogFile } from '@hearth/event-store';
import { configFromEnv, HearthConfig } from '@hearth/platform';

export const BACKUP_USAGE = `  backup --out DIR               consistent online copy of the SQLite log and the key store (SQLite's backup API) into
                                 a new folder, with manifest.json: the chain head, sizes and SHA-256 of both files
  verify-backup --from DIR       check a backup: file digests, the log's hash chains against the recorded head, the
                                 key store's integrity; exit 0 good, 1 broken, 2 cannot check
  restore --from DIR [--force] [--keep-redis]
                                 stop Hearth first: checks the backup, then puts the log and the key store back (--force
                                 replaces existing files) and deletes this deployment's Redis keys (derived: rebuilt on start)
`;

const MANIFEST = 'manifest.json';
const LOG_COPY = 'hearth.sqlite';
const KEYS_COPY = 'keys.sqlite';

export interface BackupManifest {
  format: 'hearth-backup-v1';
  createdAt: string;
  log: { file: string; bytes: number; sha256: string; head: ChainHead | null; events: number };
  keys: { file: string; bytes: number; sha256: string } | null;
}

/** Only the files' locations are needed, not the JWT secret configFromEnv insists on. */
const fileConfig = (): HearthConfig => configFromEnv({ ...process.env, HEARTH_JWT_SECRET: process.env.HEARTH_JWT_SECRET || 'backup-needs-no-secret' });

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * SQLite's online backup of a live database. The whole file is copied in one step: that step reads one snapshot
 * (WAL: writers go on meanwhile), whereas a copy in many steps restarts whenever another process writes, so it might
 * never finish under load.
 */
async function onlineCopy(source: string, target: string, what: string): Promise<void> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    const started = Date.now();
    const meta = await db.backup(target, { progress: ({ totalPages }) => Math.max(totalPages, 1) });
    const s = (Date.now() - started) / 1000;
    console.log(`${what}: ${meta.totalPages} pages copied in ${s.toFixed(1)} s (${(statSync(target).size / 1e6 / Math.max(s, 0.001)).toFixed(1)} MB/s)`);
  } finally {
    db.close();
  }
}

async function backup(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  if (!values.out) throw new Error('backup needs --out DIR (a new or empty folder)');
  const config = fileConfig();
  if (config.eventStore === 'postgres')
    throw new Error('the event log and the key store are in PostgreSQL: back them up with its own tools (pg_basebackup and WAL archiving, or pg_dump), with bounded retention (README, "Running at scale")');
  if (config.eventStore !== 'sqlite')
    throw new Error('the event store is EventStoreDB: back it up with its own tools (README, "Backups"); the key store is still a SQLite file (HEARTH_KEYS_FILE)');
  const out = resolve(values.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} is not empty: back up into a new folder`);
  if (!existsSync(config.sqliteFile)) throw new Error(`no event log at ${config.sqliteFile}`);
  mkdirSync(out, { recursive: true });
  // The log first, then the key store: every event in the copy had its data key committed before it, so the later key
  // copy holds it (unless the subject was erased in between, which is what erasure means).
  await onlineCopy(config.sqliteFile, join(out, LOG_COPY), 'event log');
  const keys = existsSync(config.keysFile);
  if (keys) await onlineCopy(config.keysFile, join(out, KEYS_COPY), 'key store');
  else console.log(`no key store at ${config.keysFile}: none copied`);
  console.log('verifying the copy of the log…');
  const verified = await verifyLogFile(join(out, LOG_COPY));
  if (!verified.checked) throw new Error(`the copy cannot be checked: ${verified.reason}`);
  if (!verified.report.ok) throw new Error(`the copy's hash chain is broken at position ${verified.report.break?.position}: the live log needs \`hearth verify\``);
  const manifest: BackupManifest = {
    format: 'hearth-backup-v1',
    createdAt: new Date().toISOString(),
    log: { file: LOG_COPY, bytes: statSync(join(out, LOG_COPY)).size, sha256: await sha256(join(out, LOG_COPY)), head: verified.report.head ?? null, events: verified.report.checkedEvents },
    keys: keys ? { file: KEYS_COPY, bytes: statSync(join(out, KEYS_COPY)).size, sha256: await sha256(join(out, KEYS_COPY)) } : null,
  };
  writeFileSync(join(out, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  const head = manifest.log.head ? `${manifest.log.head.position}:${manifest.log.head.logHash}` : 'empty log';
  console.log(`backup in ${out}: ${manifest.log.events} events, head ${head}`);
  console.log('keep that head apart from the backup: `hearth verify-backup --from DIR` and `hearth verify --head …` prove against it');
}

type Check = { ok: true; manifest: BackupManifest } | { ok: false; code: 1 | 2; reason: string };

/** Digests, the log's chains against the recorded head, the key store's own integrity check. */
async function checkBackup(dir: string): Promise<Check> {
  const manifestFile = join(dir, MANIFEST);
  if (!existsSync(manifestFile)) return { ok: false, code: 2, reason: `no ${MANIFEST} in ${dir}` };
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest;
  if (manifest.format !== 'hearth-backup-v1') return { ok: false, code: 2, reason: `unknown backup format ${String(manifest.format)}` };
  for (const part of [manifest.log, manifest.keys]) {
    if (!part) continue;
    const file = join(dir, basename(part.file));
    if (!existsSync(file)) return { ok: false, code: 1, reason: `${part.file} is missing` };
    if ((await sha256(file)) !== part.sha256) return { ok: false, code: 1, reason: `${part.file} has changed since the backup (SHA-256 differs)` };
  }
  const verified = await verifyLogFile(join(dir, basename(manifest.log.file)), manifest.log.head ? { expectedHead: manifest.log.head } : {});
  if (!verified.checked) return { ok: false, code: 2, reason: verified.reason };
  if (!verified.report.ok) return { ok: false, code: 1, reason: `log: ${verified.report.break?.kind} at position ${verified.report.break?.position}: ${verified.report.break?.detail}` };
  if (manifest.keys) {
    const db = new Database(join(dir, basename(manifest.keys.file)), { readonly: true, fileMustExist: true });
    try {
      const result = db.pragma('integrity_check', { simple: true });
      if (result !== 'ok') return { ok: false, code: 1, reason: `key store: ${String(result)}` };
    } finally {
      db.close();
    }
  }
  return { ok: true, manifest };
}

async function verifyBackup(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' } } });
  if (!values.from) throw new Error('verify-backup needs --from DIR');
  const check = await checkBackup(resolve(values.from));
  if (!check.ok) {
    console.log(`${check.code === 1 ? 'BROKEN' : 'CANNOT CHECK'}: ${check.reason}`);
    process.exitCode = check.code;
    return;
  }
  const head = check.manifest.log.head;
  console.log(`OK: ${check.manifest.log.events} events verified against the recorded head ${head ? `${head.position}:${head.logHash}` : '(empty log)'}; key store intact`);
}

/** Copies next to the target, then renames over it, and removes the old WAL files (they belong to the old database). */
function putBack(source: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.restoring`;
  copyFileSync(source, tmp);
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(tmp, target);
}

/** Every key of this deployment (read models, checkpoints, leases, BullMQ): derived from a log that is no longer there. */
async function clearDerived(config: HearthConfig): Promise<number> {
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    let deleted = 0;
    for (const pattern of [`${config.redisPrefix}*`, `${config.bullPrefix}:*`]) {
      for (let cursor = '0'; ; ) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length) deleted += await redis.unlink(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
    }
    return deleted;
  } finally {
    redis.disconnect();
  }
}

async function restore(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, force: { type: 'boolean' }, 'keep-redis': { type: 'boolean' } } });
  if (!values.from) throw new Error('restore needs --from DIR');
  const config = fileConfig();
  if (config.eventStore !== 'sqlite') throw new Error(`the event store is ${config.eventStore === 'postgres' ? 'PostgreSQL' : 'EventStoreDB'}: restore it with its own tools (README, "Backups")`);
  const dir = resolve(values.from);
  const check = await checkBackup(dir);
  if (!check.ok) {
    console.log(`not restored: ${check.reason}`);
    process.exitCode = check.code;
    return;
  }
  const targets = [config.sqliteFile, ...(check.manifest.keys ? [config.keysFile] : [])];
  const present = targets.filter((f) => existsSync(f));
  if (present.length && !values.force) throw new Error(`${present.join(' and ')} exist: stop Hearth, then restore with --force to replace them`);
  putBack(join(dir, basename(check.manifest.log.file)), config.sqliteFile);
  if (check.manifest.keys) putBack(join(dir, basename(check.manifest.keys.file)), config.keysFile);
  console.log(`restored ${check.manifest.log.events} events to ${config.sqliteFile}${check.manifest.keys ? ` and the key store to ${config.keysFile}` : ''}`);
  if (values['keep-redis']) console.log('Redis left as it is: clear this deployment\'s keys before starting, or the read models describe another log');
  else {
    try {
      console.log(`deleted ${await clearDerived(config)} derived Redis keys (${config.redisPrefix}*, ${config.bullPrefix}:*): Hearth rebuilds them from the log when it starts`);
    } catch (err) {
      console.log(`Redis did not answer (${err instanceof Error ? err.message : String(err)}): delete the keys ${config.redisPrefix}* and ${config.bullPrefix}:* before starting Hearth`);
      process.exitCode = 1;
    }
  }
  const head = check.manifest.log.head;
  if (head) console.log(`check the restored log any time with: npm run hearth -- verify --head ${head.position}:${head.logHash}`);
}

/** The backup commands of the CLI (main.ts dispatches here). */
export function backupCommand(cmd: 'backup' | 'verify-backup' | 'restore', args: string[]): Promise<void> {
  if (cmd === 'backup') return backup(args);
  if (cmd === 'verify-backup') return verifyBackup(args);
  return restore(args);
}
