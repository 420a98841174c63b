import { BadRequestException, Body, Controller, ForbiddenException, Get, Headers, HttpCode, Inject, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Actor, FundCommand } from '@hearth/domain';
import { derivedId } from '@hearth/event-store';
import { CommandOutcome, CurrentActor, HandleCaseCommand, ORG_REGISTRY, OrgRegistry, commandMetaFrom } from '@hearth/platform';
import { HardshipQueries } from '@hearth/read-models';
import { CommandResultDto } from '../petitions/petition.dto';
import { CaseHistoryService } from '../history/case-history.service';
import { CommandRoles } from '../command-roles.decorator';
import { fileIdsOf, ScopedFundHistory, scopeFundHistory } from './fund-history-scope';
import { AdjustBudgetDto, ListFundsQuery, OpenFundDto } from './hardship.dto';

type Hdrs = Record<string, string | undefined>;

const FUND_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Hardship-assistance funds (帮扶资金): a budget for one year from one source, owned by an org unit. Money
 * leaves a fund only through an aid's disbursement (`POST /hardship-files/{id}/aid/{aidId}/disbursement`).
 */
@ApiTags('hardship')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key returns the first result and appends nothing' })
@ApiHeader({ name: 'If-Match', required: false, description: 'Expected stream revision of the fund' })
@Controller('funds')
export class FundsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: HardshipQueries,
    private readonly history: CaseHistoryService,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
  ) {}

  private async send(fundId: string, command: FundCommand, actor: Actor, headers: Hdrs): Promise<CommandResultDto> {
    const meta = commandMetaFrom(headers, actor, `fund|${fundId}|${command.type}`);
    const out = await this.commands.execute<HandleCaseCommand, CommandOutcome>(new HandleCaseCommand('fund', fundId, command, actor, meta));
    return { id: fundId, ...out };
  }

  @Post()
  @CommandRoles('fund', 'OpenFund')
  @ApiOperation({ summary: 'Open a fund (head): budget for one year from one source, owned by a unit of your subtree' })
  async open(@Body() dto: OpenFundDto, @CurrentActor() actor: Actor, @Headers() h: Hdrs, @Res({ passthrough: true }) res: FastifyReply) {
    const key = h['idempotency-key'];
    const fundId = dto.fundId ?? (key ? derivedId(`${actor.id}|open-fund|${key}`) : randomUUID());
    const out = await this.send(fundId, { type: 'OpenFund', fundId, year: dto.year, source: dto.source, budgetYuan: dto.budgetYuan, orgUnit: dto.orgUnit }, actor, h);
    void res.status(201).header('location', `/funds/${fundId}`);
    return out;
  }

  @Post(':fundId/budget-adjustment')
  @HttpCode(200)
  @CommandRoles('fund', 'AdjustBudget')
  @ApiOperation({ summary: 'Raise or lower the budget (never below what was drawn), with a reason' })
  adjust(@Param('fundId') fundId: string, @Body() dto: AdjustBudgetDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(this.fundId(fundId), { type: 'AdjustBudget', budgetYuan: dto.budgetYuan, reason: dto.reason }, a, h);
  }

  @Get()
  @ApiOperation({ summary: 'Funds of your subtree and of the units above you (read model): budget, drawn, remaining' })
  list(@Query() q: ListFundsQuery, @CurrentActor() actor: Actor) {
    const unit = q.orgUnit ?? actor.orgUnit;
    this.assertWithin(unit, actor);
    return this.queries.funds(unit, this.org.directory.lineage(unit).slice(1), q.year);
  }

  @Get(':fundId')
  @ApiOperation({ summary: 'One fund: year, source, owner, budget, drawn, remaining, draws and returns' })
  async get(@Param('fundId') fundId: string, @CurrentActor() actor: Actor) {
    const fund = await this.queries.fund(this.fundId(fundId));
    if (!fund || !this.visible(fund.orgUnit, actor)) throw new NotFoundException({ code: 'FUND_NOT_FOUND', message: `no fund ${fundId}` });
    return fund;
  }

  @Get(':fundId/history')
  @ApiOperation({
    summary:
      'Every event of the fund from the log. The owner and the units above it see every draw and return (aid and file ids); a unit below the owner sees the opening, budget changes, its own draws and returns, and the totals',
  })
  async historyOf(@Param('fundId') fundId: string, @CurrentActor() actor: Actor): Promise<ScopedFundHistory> {
    const id = this.fundId(fundId);
    const hist = await this.history.history('fund', id, actor);
    const owner = (hist?.events.find((e) => e.type === 'FundOpened')?.data as { orgUnit?: string } | undefined)?.orgUnit;
    if (!hist || !owner || !this.visible(owner, actor)) throw new NotFoundException({ code: 'FUND_NOT_FOUND', message: `no fund ${fundId}` });
    const [fileUnits, fund] = await Promise.all([this.queries.orgUnitsOfFiles(fileIdsOf(hist)), this.queries.fund(id)]);
    return scopeFundHistory(hist, owner, actor, this.org.directory, fileUnits, fund);
  }

  /** A fund is visible to its owner, the units above it (oversight) and the units below it (they draw on it). */
  private visible(owner: string, actor: Actor): boolean {
    return this.org.directory.isWithin(owner, actor.orgUnit) || this.org.directory.isWithin(actor.orgUnit, owner);
  }

  private fundId(value: string): string {
    if (!FUND_ID.test(value))
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'fundId is not a valid id', errors: [{ field: 'fundId', messages: ['must be 1–64 characters: letters, digits, _ or -'] }] });
    return value;
  }

  private assertWithin(orgUnit: string, actor: Actor): void {
    if (!this.org.directory.has(orgUnit)) throw new NotFoundException({ code: 'UNKNOWN_ORG_UNIT', message: `no org unit ${orgUnit}` });
    if (!this.org.directory.isWithin(orgUnit, actor.orgUnit))
      throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: `org unit ${orgUnit} is outside your subtree` });
  }
}
