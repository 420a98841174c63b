import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SignInCommand, signInDecider, SYSTEM_ACTOR } from '@hearth/domain';
import { CommandOutcome, CommandRunner } from '../commands/command-runner';
import { COMMAND_RUNNER } from '../commands/case.commands';
import { DIRECTORY_FOLLOWER, DirectoryFollower } from '../org/directory-follower';

/** Records a sign-in, a failure (with the lock it may cause) or a revoked session on `signin-<account>`. */
export class HandleSignInCommand {
  constructor(
    readonly command: SignInCommand,
    readonly commandId: string,
  ) {}
}

@CommandHandler(HandleSignInCommand)
export class HandleSignInCommandHandler implements ICommandHandler<HandleSignInCommand, CommandOutcome> {
  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(DIRECTORY_FOLLOWER) private readonly directory: DirectoryFollower,
  ) {}

  /** Answers once this process's ledger shows the event, so the next attempt is judged with it. */
  async execute({ command, commandId }: HandleSignInCommand): Promise<CommandOutcome> {
    const outcome = await this.runner.execute(signInDecider, command.account, command, SYSTEM_ACTOR, { commandId, cause: command.type });
    if (outcome.events.length) await this.directory.caughtUp(outcome.position);
    return outcome;
  }
}

export const SIGN_IN_COMMAND_HANDLERS = [HandleSignInCommandHandler];
