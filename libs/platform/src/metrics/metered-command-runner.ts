import type { Actor, Decider, DomainEvent } from '@hearth/domain';
import { DomainError } from '@hearth/domain';
import { CommandMeta, CommandOutcome, CommandRunner, ConcurrencyConflict } from '../commands/command-runner';
import type { HearthMetrics } from './hearth-metrics';

/** The outcome label of a command: what happened, never why in words (a label must have few values). */
export function outcomeOf(err: unknown): string {
  if (err instanceof DomainError) return err.kind === 'rule' ? 'rejected' : err.kind;
  if (err instanceof ConcurrencyConflict) return 'conflict';
  return 'error';
}

/** The command runner, timed: every command of every workflow passes here (api, timers, process managers). */
export class MeteredCommandRunner extends CommandRunner {
  private metrics?: HearthMetrics;

  meter(metrics: HearthMetrics): this {
    this.metrics = metrics;
    return this;
  }

  override async execute<C extends { type: string }, E extends DomainEvent, S>(decider: Decider<C, E, S>, id: string, command: C, actor: Actor, meta: CommandMeta): Promise<CommandOutcome> {
    const m = this.metrics;
    if (!m) return super.execute(decider, id, command, actor, meta);
    const end = m.commandDuration.startTimer({ workflow: decider.category, command: command.type });
    try {
      const out = await super.execute(decider, id, command, actor, meta);
      end({ outcome: out.replayed ? 'replayed' : out.events.length === 0 ? 'unchanged' : 'ok' });
      if (!out.replayed && out.events.length > 0) {
        m.eventsAppended.inc({ workflow: decider.category }, out.events.length);
        const acks = out.events.filter((t) => t === 'EscalationAcknowledged').length;
        if (acks) m.alertsAcknowledged.inc(acks);
      }
      return out;
    } catch (err) {
      end({ outcome: outcomeOf(err) });
      throw err;
    }
  }
}
