import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Actor, UnitCommand, unitDecider, UserCommand, userDecider } from '@hearth/domain';
import { CommandMeta, CommandOutcome, CommandRunner } from '../commands/command-runner';
import { COMMAND_RUNNER } from '../commands/case.commands';
import { DIRECTORY_FOLLOWER, DirectoryFollower } from './directory-follower';

/** A command on a directory stream: `orgunit-<id>` or `user-<id>` (issue 14). */
export class HandleDirectoryCommand {
  constructor(
    readonly command: UnitCommand | UserCommand,
    readonly actor: Actor,
    readonly meta: CommandMeta,
  ) {}
}

const isUnitCommand = (c: UnitCommand | UserCommand): c is UnitCommand => 'unitId' in c;

@CommandHandler(HandleDirectoryCommand)
export class HandleDirectoryCommandHandler implements ICommandHandler<HandleDirectoryCommand, CommandOutcome> {
  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(DIRECTORY_FOLLOWER) private readonly directory: DirectoryFollower,
  ) {}

  /** Answers once this process's directory shows the change, so the caller's next request sees it. */
  async execute({ command, actor, meta }: HandleDirectoryCommand): Promise<CommandOutcome> {
    const outcome = isUnitCommand(command)
      ? await this.runner.execute(unitDecider, command.unitId, command, actor, meta)
      : await this.runner.execute(userDecider, command.userId, command, actor, meta);
    if (outcome.events.length) await this.directory.caughtUp(outcome.position);
    return outcome;
  }
}

export const DIRECTORY_COMMAND_HANDLERS = [HandleDirectoryCommandHandler];
