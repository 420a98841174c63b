import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Actor, DomainError, LadderStep, SYSTEM_ACTOR } from '@hearth/domain';
import { CommandMeta, CommandOutcome, CommandRunner } from './command-runner';
import { CaseCategory, DECIDERS, deciderForStream } from './decider-registry';
import { derivedId } from '@hearth/event-store';

export const COMMAND_RUNNER = Symbol('COMMAND_RUNNER');

/**
 * A command on one case stream (`<category>-<id>`), from a person (api) or from Hearth itself. The handler
 * loads the stream, lets the workflow's decider decide, and appends.
 */
export class HandleCaseCommand<C extends { type: string } = { type: string }> {
  constructor(
    readonly category: CaseCategory,
    readonly id: string,
    readonly command: C,
    readonly actor: Actor,
    readonly meta: CommandMeta,
  ) {}
}

@CommandHandler(HandleCaseCommand)
export class HandleCaseCommandHandler implements ICommandHandler<HandleCaseCommand, CommandOutcome> {
  constructor(@Inject(COMMAND_RUNNER) private readonly runner: CommandRunner) {}
  execute(c: HandleCaseCommand): Promise<CommandOutcome> {
    const decider = DECIDERS.get(c.category);
    if (!decider) throw new DomainError('UNKNOWN_WORKFLOW', `no workflow ${c.category}`, 'not_found');
    return this.runner.execute(decider, c.id, c.command, c.actor, c.meta);
  }
}

/**
 * A deadline's timer fired (BullMQ worker) for a rung of its ladder (`step`, `level`, `at`; no step = the due time).
 * The workflow's decider decides whether it still matters.
 */
export class ExpireDeadline {
  constructor(
    readonly streamId: string,
    readonly deadlineId: string,
    readonly dueAt: string,
    readonly step?: LadderStep,
    readonly level?: number,
    readonly at?: string,
  ) {}
}

@CommandHandler(ExpireDeadline)
export class ExpireDeadlineHandler implements ICommandHandler<ExpireDeadline, CommandOutcome> {
  constructor(@Inject(COMMAND_RUNNER) private readonly runner: CommandRunner) {}
  execute(c: ExpireDeadline): Promise<CommandOutcome> {
    const target = deciderForStream(c.streamId);
    if (!target) throw new DomainError('UNKNOWN_STREAM', `no workflow for stream ${c.streamId}`, 'not_found');
    // One command id per (deadline, rung): a timer firing twice decides once. The due-time rung keeps the id
    // timers had before ladders existed.
    const rung = !c.step || c.step === 'missed' ? '' : `|${c.step}|${c.level ?? ''}|${c.at ?? ''}`;
    const commandId = derivedId(`expire|${c.streamId}|${c.deadlineId}|${c.dueAt}${rung}`);
    const command = {
      type: 'ExpireDeadline' as const,
      deadlineId: c.deadlineId,
      ...(c.step ? { step: c.step } : {}),
      ...(c.level !== undefined ? { level: c.level } : {}),
      ...(c.at ? { at: c.at } : {}),
    };
    return this.runner.execute(target.decider, target.id, command, SYSTEM_ACTOR, { commandId, cause: 'timer' });
  }
}

/** A supervisor acknowledges an escalation (from the alert inbox). */
export class AcknowledgeEscalationCmd {
  constructor(
    readonly streamId: string,
    readonly deadlineId: string,
    readonly level: number,
    readonly note: string,
    readonly actor: Actor,
    readonly meta: CommandMeta,
  ) {}
}

@CommandHandler(AcknowledgeEscalationCmd)
export class AcknowledgeEscalationHandler implements ICommandHandler<AcknowledgeEscalationCmd, CommandOutcome> {
  constructor(@Inject(COMMAND_RUNNER) private readonly runner: CommandRunner) {}
  execute(c: AcknowledgeEscalationCmd): Promise<CommandOutcome> {
    const target = deciderForStream(c.streamId);
    if (!target) throw new DomainError('ALERT_NOT_FOUND', `no workflow for stream ${c.streamId}`, 'not_found');
    return this.runner.execute(
      target.decider,
      target.id,
      { type: 'AcknowledgeEscalation', deadlineId: c.deadlineId, level: c.level, note: c.note },
      c.actor,
      c.meta,
    );
  }
}

export const CASE_COMMAND_HANDLERS = [HandleCaseCommandHandler, ExpireDeadlineHandler, AcknowledgeEscalationHandler];
