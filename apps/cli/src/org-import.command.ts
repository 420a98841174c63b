import 'reflect-metadata';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { passwordPolicyViolation } from '@hearth/domain';
import { EventStore, EVENT_STORE } from '@hearth/event-store';
import { CLOCK, Clock, demoPasswordFromEnv, DIRECTORY_FOLLOWER, DirectoryFollower, HearthCoreModule, importOrgFile } from '@hearth/platform';

export const ORG_USAGE = `  org import FILE                import an org file ({ units, users }) into the log as directory commands: idempotent, a second
                                 run appends nothing. Users without a password get HEARTH_DEMO_PASSWORD, else a generated one
                                 that is printed once
`;

@Module({ imports: [HearthCoreModule] })
class OrgCliModule {}

/** A password the policy accepts: 4 groups of 4 from an alphabet without look-alikes (0/O, 1/l), digits included. */
function generatedPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  for (;;) {
    const groups = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join(''));
    const candidate = groups.join('-');
    if (!passwordPolicyViolation(candidate)) return candidate;
  }
}

export async function orgCommand(args: string[]): Promise<void> {
  const [sub, file] = args;
  if (sub !== 'import' || !file) {
    console.error(ORG_USAGE);
    process.exitCode = 2;
    return;
  }
  if (!existsSync(file)) {
    console.error(`${file}: no such file`);
    process.exitCode = 1;
    return;
  }
  const fromEnv = demoPasswordFromEnv();
  if (fromEnv && passwordPolicyViolation(fromEnv)) {
    console.error(`HEARTH_DEMO_PASSWORD: ${passwordPolicyViolation(fromEnv)}`);
    process.exitCode = 1;
    return;
  }
  const password = fromEnv ?? generatedPassword();
  const app = await NestFactory.createApplicationContext(OrgCliModule, { logger: ['error'] });
  try {
    const follower = app.get<DirectoryFollower>(DIRECTORY_FOLLOWER);
    const r = await importOrgFile(follower, app.get<EventStore>(EVENT_STORE), app.get<Clock>(CLOCK), file, password);
    console.log(`org import: ${r.unitsCreated} units and ${r.usersCreated} users created, ${r.passwordsSet} passwords set`);
    if (r.passwordsSet > 0 && !fromEnv) console.log(`password of the imported users (sign in at /auth/sign-in; change it soon): ${password}`);
  } finally {
    await app.close();
  }
}
