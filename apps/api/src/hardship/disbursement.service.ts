import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  Actor,
  DisbursementMethod,
  DomainError,
  FundCommand,
  HardshipCommand,
  forbidden,
  fundDecider,
  hardshipFileDecider,
  localDateOf,
  notFound,
  toFen,
} from '@hearth/domain';
import { derivedId } from '@hearth/event-store';
import {
  CLOCK,
  Clock,
  COMMAND_RUNNER,
  CommandMeta,
  CommandOutcome,
  CommandRunner,
  ConcurrencyConflict,
  HandleCaseCommand,
  ORG_REGISTRY,
  OrgRegistry,
} from '@hearth/platform';

export interface DisbursementResult {
  id: string;
  aidId: string;
  fundId?: string;
  revision: number;
  events: string[];
  fundEvents?: string[];
  replayed: boolean;
}

export interface RevocationResult {
  id: string;
  aidId: string;
  revision: number;
  events: string[];
  fundEvents?: string[];
  replayed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Paying out an aid touches two streams: the fund (money leaves it) and the file (the aid is disbursed).
 * Order: DrawFromFund first, RecordDisbursement second, so no aid is ever disbursed without its draw; the
 * fund stream's optimistic concurrency serialises parallel draws, so the budget cannot be overdrawn.
 *
 * Both steps get command ids derived from the request's command id (Idempotency-Key), so retrying the whole
 * request replays what was done. A draw without its disbursement (crash, lost response, conflict storm) is
 * completed by any later disbursement request for that aid: the fund already holds the aid's draw, which is
 * never made twice. If the file refuses the disbursement after a fresh draw (e.g. the aid was revoked in
 * between), the draw is returned at once. Revoking a paid-out aid returns its draw (ReturnToFund).
 */
@Injectable()
export class DisbursementService {
  private readonly log = new Logger('disbursement');

  constructor(
    private readonly commands: CommandBus,
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async disburse(
    fileId: string,
    aidId: string,
    body: { method?: DisbursementMethod; reference?: string },
    actor: Actor,
    meta: CommandMeta,
  ): Promise<DisbursementResult> {
    const file = await this.runner.stateOf(hardshipFileDecider, fileId);
    const s = file.state;
    if (!s.exists) throw notFound('HARDSHIP_FILE_NOT_FOUND', 'no such hardship file');
    // The file decider checks these too, but only after the draw: check them before any money moves.
    if (actor.role !== 'officer' && actor.role !== 'head') throw forbidden('ROLE_NOT_ALLOWED', `role ${actor.role} may not RecordDisbursement`);
    if (!this.org.directory.isWithin(s.orgUnit, actor.orgUnit))
      throw forbidden('OUTSIDE_ORG_SUBTREE', `org unit ${s.orgUnit} is outside ${actor.orgUnit}'s subtree`);
    if (meta.expectedRevision !== undefined && meta.expectedRevision !== file.revision)
      throw new ConcurrencyConflict(`hardship-${fileId}`, file.revision, meta.expectedRevision);
    const aid = s.aids[aidId];
    if (!aid) throw notFound('AID_NOT_FOUND', `no aid ${aidId} on file ${fileId}`);

    const record: HardshipCommand = { type: 'RecordDisbursement', aidId, ...(body.method ? { method: body.method } : {}), ...(body.reference ? { reference: body.reference } : {}) };
    const stepMeta = (step: string): CommandMeta => ({
      commandId: derivedId(`${meta.commandId}|${step}`),
      correlationId: meta.correlationId ?? meta.commandId,
      causationId: meta.commandId,
      cause: 'DisburseAid',
    });
    const monetary = !!aid.fundId && toFen(aid.amountYuan) > 0;

    let fundEvents: string[] | undefined;
    let drewNow = false;
    if (aid.status === 'Approved' && monetary) {
      const fund = await this.runner.stateOf(fundDecider, aid.fundId!);
      const prior = fund.state.draws[aidId];
      if (prior && !prior.returned && prior.fileId === fileId) {
        fundEvents = []; // drawn by an earlier attempt whose disbursement was not recorded: complete it
      } else {
        const draw: FundCommand = {
          type: 'DrawFromFund',
          aidId,
          fileId,
          amountYuan: aid.amountYuan,
          kind: aid.kind,
          month: localDateOf(this.clock.now()).slice(0, 7),
        };
        const out = await this.retrying(() => this.exec('fund', aid.fundId!, draw, actor, stepMeta('draw-from-fund')));
        fundEvents = out.events;
        drewNow = out.events.length > 0 && !out.replayed;
      }
    }

    // Past Approved, only a replay of this very request succeeds; anything else is the decider's refusal.
    let out: CommandOutcome;
    try {
      out = await this.retrying(() => this.exec('hardship', fileId, record, actor, stepMeta('record-disbursement')));
    } catch (err) {
      if (drewNow && err instanceof DomainError) await this.undoDraw(aid.fundId!, aidId, err.code, actor, stepMeta('return-undisbursed'));
      throw err;
    }
    return {
      id: fileId,
      aidId,
      ...(monetary ? { fundId: aid.fundId } : {}),
      revision: out.revision,
      events: out.events,
      ...(fundEvents ? { fundEvents } : {}),
      replayed: out.replayed,
    };
  }

  async revoke(fileId: string, aidId: string, reason: string, actor: Actor, meta: CommandMeta): Promise<RevocationResult> {
    let out: CommandOutcome | undefined;
    let failure: unknown;
    try {
      out = await this.retrying(() => this.exec('hardship', fileId, { type: 'RevokeAid', aidId, reason }, actor, meta));
    } catch (err) {
      failure = err;
    }
    // Whatever this request did, a revoked aid's money must not stay drawn (also completes an earlier,
    // half-done revocation). Only someone entitled to revoke gets here without a refusal.
    let fundEvents: string[] | undefined;
    const aid = (await this.runner.stateOf(hardshipFileDecider, fileId)).state.aids[aidId];
    const entitled = !(failure instanceof DomainError && (failure.kind === 'forbidden' || failure.kind === 'not_found'));
    if (aid?.status === 'Revoked' && aid.fundId && entitled) {
      const draw = (await this.runner.stateOf(fundDecider, aid.fundId)).state.draws[aidId];
      if (draw && !draw.returned && draw.fileId === fileId) {
        const back = await this.retrying(() =>
          this.exec('fund', aid.fundId!, { type: 'ReturnToFund', aidId, reason: 'aid revoked' }, actor, {
            // One return per aid, whichever request gets to do it.
            commandId: derivedId(`return-to-fund|${fileId}|${aidId}`),
            correlationId: meta.correlationId ?? meta.commandId,
            causationId: meta.commandId,
            cause: 'RevokeAid',
          }),
        );
        fundEvents = back.events;
      }
    }
    if (failure) throw failure;
    return { id: fileId, aidId, revision: out!.revision, events: out!.events, ...(fundEvents ? { fundEvents } : {}), replayed: out!.replayed };
  }

  private async undoDraw(fundId: string, aidId: string, code: string, actor: Actor, meta: CommandMeta): Promise<void> {
    try {
      await this.retrying(() => this.exec('fund', fundId, { type: 'ReturnToFund', aidId, reason: `disbursement refused (${code})` }, actor, meta));
    } catch (err) {
      // The draw stays; the next disbursement request for this aid completes it, or a revocation returns it.
      this.log.warn(`draw of aid ${aidId} on fund ${fundId} could not be returned: ${(err as Error).message}`);
    }
  }

  private exec(category: 'hardship' | 'fund', id: string, command: HardshipCommand | FundCommand, actor: Actor, meta: CommandMeta): Promise<CommandOutcome> {
    return this.commands.execute<HandleCaseCommand, CommandOutcome>(new HandleCaseCommand(category, id, command, actor, meta));
  }

  /**
   * Draws on one fund contend by design (a campaign pays out many aids at once): beyond the runner's own
   * retries, keep retrying a concurrency conflict with jittered back-off for a bounded time. Safe: every
   * retry carries the same command id.
   */
  private async retrying<T>(fn: () => Promise<T>, budgetMs = 20_000): Promise<T> {
    const until = Date.now() + budgetMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof ConcurrencyConflict) || err.expected !== undefined || Date.now() > until) throw err;
        await sleep(Math.random() * Math.min(250, 10 * 2 ** Math.min(attempt, 5)));
      }
    }
  }
}
