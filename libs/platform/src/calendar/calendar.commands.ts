import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Actor, CALENDAR_ID, calendarDecider, CalendarCommand } from '@hearth/domain';
import { CommandMeta, CommandOutcome, CommandRunner } from '../commands/command-runner';
import { COMMAND_RUNNER } from '../commands/case.commands';

/** A command on the calendar stream (`calendar-cn`): loading a year (admins) or flagging a missing one (Hearth). */
export class HandleCalendarCommand {
  constructor(
    readonly command: CalendarCommand,
    readonly actor: Actor,
    readonly meta: CommandMeta,
  ) {}
}

@CommandHandler(HandleCalendarCommand)
export class HandleCalendarCommandHandler implements ICommandHandler<HandleCalendarCommand, CommandOutcome> {
  constructor(@Inject(COMMAND_RUNNER) private readonly runner: CommandRunner) {}
  execute(c: HandleCalendarCommand): Promise<CommandOutcome> {
    return this.runner.execute(calendarDecider, CALENDAR_ID, c.command, c.actor, c.meta);
  }
}

export const CALENDAR_COMMAND_HANDLERS = [HandleCalendarCommandHandler];
