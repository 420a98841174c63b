import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { JwtService } from '@nestjs/jwt';
import Redis from 'ioredis';
import { configFromEnv, OrgRegistry, UserRecord } from '@hearth/platform';
import { requestRebuild } from '@hearth/read-models';

const USAGE = `hearth <command>
  tokens [--user ID] [--short]   print bearer tokens for the demo users (HEARTH_JWT_SECRET must be set)
  rebuild                        drop every read model and checkpoint; the running worker rebuilds them from position 0
`;

function tokens(args: string[]): void {
  const { values } = parseArgs({ args, options: { user: { type: 'string' }, short: { type: 'boolean' } } });
  const config = configFromEnv();
  const org = OrgRegistry.fromFile(config.orgFile);
  const jwt = new JwtService({ secret: config.jwtSecret, signOptions: { expiresIn: config.jwtTtl as never } });
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

async function rebuild(): Promise<void> {
  const config = configFromEnv();
  const redis = new Redis(config.redisUrl);
  try {
    const n = await requestRebuild(redis, config.redisPrefix);
    console.log(`dropped ${n} read-model keys; the worker is rebuilding from position 0`);
  } finally {
    redis.disconnect();
  }
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'tokens':
      return tokens(rest);
    case 'rebuild':
      return rebuild();
    default:
      process.stdout.write(USAGE);
      if (cmd && cmd !== 'help' && cmd !== '--help') process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
