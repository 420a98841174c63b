import { createSecretKey } from 'node:crypto';
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { JwtService } from '@nestjs/jwt';
import Redis from 'ioredis';
import { configFromEnv, describeProgress, OrgRegistry, progressOf, UserRecord } from '@hearth/platform';
import { readModelStatus, requestGenerationRebuild, requestRebuild } from '@hearth/read-models';
import { existsSync } from 'node:fs';
import { ChainHead, verifyLogFile, verifyPostgresLog } from '@hearth/event-store';
import { BACKUP_USAGE, backupCommand } from './backup.command';
import { MIGRATE_USAGE, migrateCommand } from './migrate.command';
import { CALENDAR_USAGE, calendarCommand } from './calendar.command';
import { ORG_USAGE, orgCommand } from './org-import.command';

const USAGE = `hearth <command>
  tokens [--user ID] [--short]   print bearer tokens for the demo users (HEARTH_JWT_SECRET must be set)
  rebuild [--wait] [--drop]      rebuild every read model from position 0 without downtime: the worker builds a new
                                 generation next to the active one and switches when it has caught up (--wait: until then);
                                 --drop (emergency): delete the active read models, rebuilt in place (queries see partial data)
  verify [--file PATH] [--head POSITION:HASH] [--json]
                                 walk the SQLite log's hash chains (read-only; the file is never changed); exit 0 intact,
                                 1 broken (prints where and how), 2 cannot check (no file, no chain: hash columns or hashes gone).
                                 Keep the printed head elsewhere: only --head proves that no events were cut off the end
${BACKUP_USAGE}${MIGRATE_USAGE}${CALENDAR_USAGE}${ORG_USAGE}`;

function tokens(args: string[]): void {
  const { values } = parseArgs({ args, options: { user: { type: 'string' }, short: { type: 'boolean' } } });
  const config = configFromEnv();
  const org = OrgRegistry.fromFile(config.orgFile);
  const jwt = new JwtService({ secret: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')), signOptions: { algorithm: 'HS256', expiresIn: config.jwtTtl as never } });
  let users: UserRecord[] = org.allUsers();
  if (values.user) users = users.filter((u) => u.id === values.user);
  // The short list: one user of each role along one branch of the tree, enough to walk a case end to end.
  if (values.short) users = users.filter((u) => ['city', 'east', 'east-s1', 'east-s1-g1'].includes(u.orgUnit));
  if (users.length === 0) throw new Error(`no such user ${values.user ?? ''}`);
  for (const u of users) {
    const token = jwt.sign({ sub: u.id, role: u.role, org: u.orgUnit, name: u.name });
    console.log(`${u.id.padEnd(24)} ${u.role.padEnd(10)} ${u.orgUnit.padEnd(12)} ${token}`);
  }
}

async function rebuild(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { drop: { type: 'boolean' }, wait: { type: 'boolean' } } });
  const config = configFromEnv();
  const redis = new Redis(config.redisUrl);
  try {
    if (values.drop) {
      const n = await requestRebuild(redis, config.redisPrefix);
      console.log(`dropped ${n} read-model keys; the worker is rebuilding them in place from position 0`);
      return;
    }
    const r = await requestGenerationRebuild(redis, config.redisPrefix, 'cli');
    console.log(
      `${r.created ? 'rebuilding' : 'a rebuild is already running:'} generation ${r.target} from position 0; ` +
        `queries read generation ${r.active} until the worker switches`,
    );
    if (!values.wait) return;
    for (let last = ''; ; ) {
      const s = await readModelStatus(redis, config.redisPrefix);
      if (s.generation === r.target) {
        console.log(`switched: generation ${s.generation} is active at position ${s.position}`);
        return;
      }
      if (!s.rebuild || s.rebuild.target !== r.target) throw new Error(`the rebuild of generation ${r.target} was cancelled`);
      // The active generation follows the live log, so its checkpoint stands for the head the rebuild must reach.
      const progress = progressOf(Math.max(0, s.rebuild.position ?? 0), Math.max(0, s.position ?? 0, s.rebuild.position ?? 0), Date.parse(s.rebuild.requestedAt), Date.now());
      const line = `generation ${r.target}: ${describeProgress(progress)} (active generation ${s.generation} at ${s.position ?? -1})`;
      if (line !== last) console.log(line);
      last = line;
      await new Promise((res) => setTimeout(res, 1000));
    }
  } finally {
    redis.disconnect();
  }
}

async function verify(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { file: { type: 'string' }, head: { type: 'string' }, json: { type: 'boolean' } } });
  let file = values.file;
  let postgresUrl: string | undefined;
  if (!file) {
    // Only the log's location is needed here, not the JWT secret configFromEnv insists on.
    const config = configFromEnv({ ...process.env, HEARTH_JWT_SECRET: process.env.HEARTH_JWT_SECRET || 'verify-needs-no-secret' });
    if (config.eventStore === 'esdb') {
      console.error('the event store is EventStoreDB: it keeps no hash chain to verify (see README, "Tamper evidence")');
      process.exitCode = 2;
      return;
    }
    if (config.eventStore === 'postgres') postgresUrl = config.postgresUrl;
    else file = config.sqliteFile;
  }
  let expectedHead: ChainHead | undefined;
  if (values.head) {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(values.head);
    if (!m) {
      console.error('--head must be POSITION:HASH (the head printed by an earlier verify)');
      process.exitCode = 2;
      return;
    }
    expectedHead = { position: Number(m[1]), logHash: m[2] };
  }
  if (!postgresUrl && !existsSync(file!)) {
    console.error(`no event log at ${file}`);
    process.exitCode = 2;
    return;
  }
  // Read-only, never through the store (which migrates and chains older files when it opens them): see verifyLogFile.
  const verified = postgresUrl
    ? await verifyPostgresLog(postgresUrl, expectedHead ? { expectedHead } : {})
    : await verifyLogFile(file!, expectedHead ? { expectedHead } : {});
  if (!verified.checked) {
    if (values.json) console.log(JSON.stringify({ ok: false, checked: false, reason: verified.reason }, null, 2));
    else console.log(`CANNOT CHECK: ${verified.reason}`);
    process.exitCode = 2;
    return;
  }
  const report = verified.report;
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else if (report.ok) {
    const head = report.head ? `head ${report.head.position}:${report.head.logHash}` : 'empty log';
    console.log(`OK: ${report.checkedEvents} events in ${report.checkedStreams} streams verified${report.checkedAgainstHead ? ' against the kept head' : ''}; ${head}`);
  } else {
    const b = report.break!;
    const where = [`position ${b.position}`, b.streamId && `stream ${b.streamId}`, b.revision !== undefined && `revision ${b.revision}`, b.eventId && `event ${b.eventId}`]
      .filter(Boolean)
      .join(', ');
    console.log(`BROKEN: ${b.kind} at ${where}\n  ${b.detail}\n  ${report.checkedEvents} events verified before the break`);
  }
  process.exitCode = report.ok ? 0 : 1;
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'tokens':
      return tokens(rest);
    case 'rebuild':
      return rebuild(rest);
    case 'verify':
      return verify(rest);
    case 'backup':
    case 'verify-backup':
    case 'restore':
      return backupCommand(cmd, rest);
    case 'migrate':
      return migrateCommand(rest);
    case 'calendar':
      return calendarCommand(rest);
    case 'org':
      return orgCommand(rest);
    default:
      process.stdout.write(USAGE);
      if (cmd && cmd !== 'help' && cmd !== '--help') process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
