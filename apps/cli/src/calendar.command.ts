import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { Actor, parseCalendarFile } from '@hearth/domain';
import { CALENDAR_REGISTRY, CalendarRegistry, CommandOutcome, configFromEnv, HandleCalendarCommand, HearthCoreModule, OrgRegistry } from '@hearth/platform';

export const CALENDAR_USAGE = `  calendar import FILE [--user ID]
                                 load a year's holiday arrangement (Hearth's format or { year, papers, days: [{ name, date, isOffDay }] })
                                 as the city federation's admin (default: the first admin of the city in the org file); the same days
                                 again change nothing; a bad file is refused with every offending entry (exit 1). The worker then
                                 recomputes the open deadlines the change touches
  calendar list [--json]         years, revisions, sources and when they were loaded
`;

@Module({ imports: [HearthCoreModule] })
class CalendarCliModule {}

/** The operator the CLI acts as: a named user, or the first admin of the top unit. */
function operator(userId: string | undefined): Actor {
  const org = OrgRegistry.fromFile(configFromEnv().orgFile);
  const users = org.allUsers();
  const u = userId ? users.find((x) => x.id === userId) : users.find((x) => x.role === 'admin' && org.directory.get(x.orgUnit)?.level === 1);
  if (!u) throw new Error(userId ? `no such user ${userId}` : 'the org file has no admin at the city federation (pass --user)');
  return { id: u.id, role: u.role, orgUnit: u.orgUnit };
}

/** Through the normal command path: the same core as the api (event store, calendar stream, command runner). */
async function withCore<T>(f: (commands: CommandBus, calendars: CalendarRegistry) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(CalendarCliModule, { logger: ['error'] });
  try {
    return await f(app.get(CommandBus), app.get<CalendarRegistry>(CALENDAR_REGISTRY));
  } finally {
    await app.close();
  }
}

async function importFile(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { user: { type: 'string' } } });
  const file = positionals[0];
  if (!file) {
    console.error('calendar import needs a FILE');
    process.exitCode = 2;
    return;
  }
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`${file}: not a JSON file (${(err as Error).message})`);
    process.exitCode = 1;
    return;
  }
  const parsed = parseCalendarFile(input);
  if (!parsed.ok) {
    console.error(`${file}: refused, nothing changed`);
    for (const e of parsed.errors) console.error(`  ${e.field || '(file)'}: ${e.messages.join('; ')}`);
    process.exitCode = 1;
    return;
  }
  const actor = operator(values.user);
  await withCore(async (commands, calendars) => {
    const out = await commands.execute<HandleCalendarCommand, CommandOutcome>(
      new HandleCalendarCommand({ type: 'PublishCalendarYear', ...parsed.value }, actor, { commandId: randomUUID(), cause: 'cli' }),
    );
    const history = await calendars.calendar();
    const latest = history.list().filter((r) => r.year === parsed.value.year).pop();
    if (out.events.length) console.log(`loaded ${parsed.value.year} revision ${latest?.revision}; calendar ${history.current().version} (position ${out.position}); the worker recomputes open deadlines`);
    else console.log(`${parsed.value.year} revision ${latest?.revision} already has these days: nothing changed`);
  });
}

async function list(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  await withCore(async (_commands, calendars) => {
    const history = await calendars.calendar();
    const years = history.list();
    if (values.json) {
      console.log(JSON.stringify({ version: history.current().version, years, missingYears: history.flaggedMissing() }, null, 2));
      return;
    }
    console.log(`calendar in force: ${history.current().version}`);
    for (const r of years)
      console.log(`${r.year} r${r.revision}  ${r.format.padEnd(10)} ${r.offDays} off, ${r.workingWeekendDays} make-up  loaded ${r.loadedAt} by ${r.loadedBy}  ${r.source}`);
    const missing = history.flaggedMissing();
    if (missing.length) console.log(`not loaded (deadlines there are provisional): ${missing.join(', ')}`);
  });
}

export async function calendarCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'import') return importFile(rest);
  if (sub === 'list') return list(rest);
  process.stdout.write(CALENDAR_USAGE);
  process.exitCode = 2;
}
