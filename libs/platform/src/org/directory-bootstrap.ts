import { existsSync } from 'node:fs';
import { defaultCalendar, defaultRuleBook } from '@hearth/domain';
import type { EventStore } from '@hearth/event-store';
import type { Clock } from '../clock/clock';
import { CommandRunner } from '../commands/command-runner';
import { DirectoryFollower } from './directory-follower';
import { OrgRegistry, readOrgFile } from './org-data';
import { importOrg, OrgImportResult } from './org-import';

/** A command runner for Hearth's own directory commands (the import), deciding against `registry`'s directory. */
export function directoryRunner(store: EventStore, clock: Clock, registry: OrgRegistry): CommandRunner {
  const calendar = defaultCalendar();
  const rules = defaultRuleBook();
  return new CommandRunner(store, (actor, now) => ({ actor, now, calendar, rules, org: registry.directory, jurisdiction: 'national' }), clock);
}

/** Demo users' password on a fresh log (HEARTH_DEMO_PASSWORD); unset = the users get none until `org import` sets one. */
export const demoPasswordFromEnv = (env: NodeJS.ProcessEnv = process.env): string | undefined => env.HEARTH_DEMO_PASSWORD || undefined;

/** Imports `file` into the log and waits until this process's directory shows it. */
export async function importOrgFile(follower: DirectoryFollower, store: EventStore, clock: Clock, file: string, password?: string): Promise<OrgImportResult> {
  const result = await importOrg(directoryRunner(store, clock, follower.registry), follower.registry.directory, readOrgFile(file), password);
  await follower.caughtUp(result.position);
  return result;
}

/**
 * The directory of a process: follow the log; on a fresh log (no unit yet) import the org file first, so a new
 * deployment starts with the demo (or configured) org. Every process may do this at once: the import is idempotent.
 */
export async function startDirectory(feed: EventStore, store: EventStore, clock: Clock, orgFile: string): Promise<DirectoryFollower> {
  const follower = new DirectoryFollower(feed, new OrgRegistry());
  await follower.start();
  if (follower.registry.directory.all().length === 0 && existsSync(orgFile)) await importOrgFile(follower, store, clock, orgFile, demoPasswordFromEnv());
  return follower;
}
