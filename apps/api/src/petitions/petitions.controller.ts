import { Body, Controller, ForbiddenException, Get, Headers, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Actor, PetitionCommand } from '@hearth/domain';
import { derivedId } from '@hearth/event-store';
import {
  CLOCK,
  Clock,
  CommandOutcome,
  CurrentActor,
  HandleCaseCommand,
  HEARTH_CONFIG,
  HearthConfig,
  ORG_REGISTRY,
  OrgRegistry,
  commandMetaFrom,
} from '@hearth/platform';
import { PetitionListQuery, PetitionQueries } from '@hearth/read-models';
import { petitionerKeysOf } from './petitioner-keys';
import { PetitionRegistration } from './petition-registration.service';
import { redactAccuserFor } from './accuser-redaction';
import {
  AcceptDto,
  AssignDownDto,
  AssignHandlerDto,
  CloseDto,
  CommandResultDto,
  CompletionReportDto,
  DraftAnswerDto,
  ExtendDto,
  ListPetitionsQuery,
  NotAcceptDto,
  NotifyReceiptDto,
  petitionerOf,
  ObjectToTransferDto,
  ReasonsDto,
  RecordProgressDto,
  RegisterPetitionDto,
  ReviewDecisionDto,
  RouteOutDto,
  SuperviseDto,
  SupervisionReplyDto,
  TransferDto,
} from './petition.dto';
import { CaseHistoryService } from '../history/case-history.service';
import { CommandRoles } from '../command-roles.decorator';

type Hdrs = Record<string, string | undefined>;

@ApiTags('petitions')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key returns the first result and appends nothing' })
@ApiHeader({ name: 'If-Match', required: false, description: 'Expected stream revision; a mismatch answers 409 with the current revision' })
@Controller('petitions')
export class PetitionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: PetitionQueries,
    private readonly history: CaseHistoryService,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly registration: PetitionRegistration,
  ) {}

  private async send(id: string, command: PetitionCommand, actor: Actor, headers: Hdrs): Promise<CommandResultDto> {
    const meta = commandMetaFrom(headers, actor, `petition|${id}|${command.type}`);
    const out = await this.commands.execute<HandleCaseCommand, CommandOutcome>(new HandleCaseCommand('petition', id, command, actor, meta));
    return { id, ...out };
  }

  @Post()
  @CommandRoles('petition', 'RegisterPetition')
  @ApiOperation({ summary: 'Register a petition (信访登记); opens the 15-day acceptance-notice deadline' })
  async register(@Body() dto: RegisterPetitionDto, @CurrentActor() actor: Actor, @Headers() h: Hdrs, @Res({ passthrough: true }) res: FastifyReply) {
    const key = h['idempotency-key'];
    const id = dto.petitionId ?? (key ? derivedId(`${actor.id}|register-petition|${key}`) : randomUUID());
    const { petitionId: _ignored, ...data } = dto;
    const petitionerKeys = petitionerKeysOf(data.petitioners, this.config.blindIndexKey);
    const idNumbers = data.petitioners.map((p) => p.idNumber?.trim()).filter((n): n is string => !!n);
    const command: PetitionCommand = {
      type: 'RegisterPetition',
      petitionId: id,
      ...data,
      petitioners: data.petitioners.map(petitionerOf),
      ...(petitionerKeys.length ? { petitionerKeys } : {}),
    };
    // The repeat rule (art. 19, 36) is decided from the log by the domain; the answer names the case a repeat joins
    // only to who may read that case, anyone else gets their new case as if there were no other (art. 46(5)).
    const meta = commandMetaFrom(h, actor, `petition|${id}|RegisterPetition`);
    const r = await this.registration.register(command as Extract<PetitionCommand, { type: 'RegisterPetition' }>, idNumbers, actor, meta);
    void res.status(r.repeatOf ? 200 : 201).header('location', `/petitions/${r.id}`);
    return { id: r.id, ...r.outcome, ...(r.repeatOf ? { repeatOf: r.repeatOf } : {}) };
  }

  @Post(':id/supervision') @HttpCode(200) @CommandRoles('petition', 'SupervisePetition')
  @ApiOperation({ summary: '督办: an upper union supervises the case and requires a written reply by a due date (its own deadline and ladder)' })
  supervise(@Param('id', ParseUUIDPipe) id: string, @Body() dto: SuperviseDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'SupervisePetition', ...dto }, a, h);
  }

  @Post(':id/supervision-reply') @HttpCode(200) @CommandRoles('petition', 'ReplyToSupervision')
  @ApiOperation({ summary: 'The supervised unit’s written reply to a 督办; fulfils its deadline' })
  replyToSupervision(@Param('id', ParseUUIDPipe) id: string, @Body() dto: SupervisionReplyDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ReplyToSupervision', ...dto }, a, h);
  }

  @Post(':id/receipt-notice') @HttpCode(200) @CommandRoles('petition', 'NotifyReceipt')
  notifyReceipt(@Param('id', ParseUUIDPipe) id: string, @Body() dto: NotifyReceiptDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'NotifyReceipt', ...dto }, a, h);
  }

  @Post(':id/acceptance') @HttpCode(200) @CommandRoles('petition', 'AcceptPetition') @ApiOperation({ summary: 'Accept (受理); opens the 60-day handling deadline' })
  accept(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AcceptDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'AcceptPetition', ...dto }, a, h);
  }

  @Post(':id/non-acceptance') @HttpCode(200) @CommandRoles('petition', 'NotAcceptPetition')
  notAccept(@Param('id', ParseUUIDPipe) id: string, @Body() dto: NotAcceptDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'NotAcceptPetition', ...dto }, a, h);
  }

  @Post(':id/route-out') @HttpCode(200) @CommandRoles('petition', 'RouteOutPetition') @ApiOperation({ summary: 'Route to another procedure (e.g. labour arbitration)' })
  routeOut(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RouteOutDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RouteOutPetition', ...dto }, a, h);
  }

  @Post(':id/transfer') @HttpCode(200) @CommandRoles('petition', 'TransferPetition') @ApiOperation({ summary: '转送 to another org unit' })
  transfer(@Param('id', ParseUUIDPipe) id: string, @Body() dto: TransferDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'TransferPetition', ...dto }, a, h);
  }

  @Post(':id/transfer-objection') @HttpCode(200) @CommandRoles('petition', 'ObjectToTransfer')
  objectToTransfer(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ObjectToTransferDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ObjectToTransfer', ...dto }, a, h);
  }

  @Post(':id/assign-down') @HttpCode(200) @CommandRoles('petition', 'AssignDown') @ApiOperation({ summary: '交办: assign down with a due date and a required completion report' })
  assignDown(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AssignDownDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'AssignDown', ...dto }, a, h);
  }

  @Post(':id/completion-report') @HttpCode(200) @CommandRoles('petition', 'SubmitCompletionReport')
  completionReport(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CompletionReportDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'SubmitCompletionReport', ...dto }, a, h);
  }

  @Post(':id/handler') @HttpCode(200) @CommandRoles('petition', 'AssignHandler')
  assignHandler(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AssignHandlerDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'AssignHandler', ...dto }, a, h);
  }

  @Post(':id/progress') @HttpCode(200) @CommandRoles('petition', 'RecordProgress')
  progress(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RecordProgressDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RecordProgress', note: dto.note, attachments: dto.attachments ?? [] }, a, h);
  }

  @Post(':id/extension') @HttpCode(200) @CommandRoles('petition', 'ExtendHandling') @ApiOperation({ summary: 'Extend handling (head only, ≤ 30 days, art. 34)' })
  extend(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ExtendDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ExtendHandling', ...dto }, a, h);
  }

  @Post(':id/answer-draft') @HttpCode(200) @CommandRoles('petition', 'DraftAnswer')
  draftAnswer(@Param('id', ParseUUIDPipe) id: string, @Body() dto: DraftAnswerDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'DraftAnswer', ...dto }, a, h);
  }

  @Post(':id/answer-approval') @HttpCode(200) @CommandRoles('petition', 'ApproveAnswer') @ApiOperation({ summary: 'Head approves the drafted answer (处理意见)' })
  approveAnswer(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ApproveAnswer' }, a, h);
  }

  @Post(':id/review-request') @HttpCode(200) @CommandRoles('petition', 'RequestReview') @ApiOperation({ summary: '复查 request, on the petitioner’s behalf' })
  requestReview(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonsDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RequestReview', ...dto }, a, h);
  }

  @Post(':id/review-decision') @HttpCode(200) @CommandRoles('petition', 'DecideReview')
  decideReview(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReviewDecisionDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'DecideReview', ...dto }, a, h);
  }

  @Post(':id/recheck-request') @HttpCode(200) @CommandRoles('petition', 'RequestRecheck') @ApiOperation({ summary: '复核 request' })
  requestRecheck(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonsDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RequestRecheck', ...dto }, a, h);
  }

  @Post(':id/recheck-decision') @HttpCode(200) @CommandRoles('petition', 'DecideRecheck')
  decideRecheck(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReviewDecisionDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'DecideRecheck', ...dto }, a, h);
  }

  @Post(':id/closure') @HttpCode(200) @CommandRoles('petition', 'ClosePetition')
  close(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CloseDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ClosePetition', ...dto }, a, h);
  }

  @Get()
  @ApiOperation({ summary: 'Petitions of an org subtree, filtered, sorted and paginated (read model)' })
  list(@Query() q: ListPetitionsQuery, @CurrentActor() actor: Actor) {
    const orgUnit = q.orgUnit ?? actor.orgUnit;
    this.assertWithin(orgUnit, actor);
    return this.queries.list({
      orgUnit,
      status: q.status as PetitionListQuery['status'],
      assignee: q.assignee,
      channel: q.channel,
      category: q.category,
      dueBefore: q.dueBefore,
      overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
      now: this.clock.now().toISOString(),
      sort: q.sort ?? 'received',
      order: q.order ?? 'desc',
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
  }

  @Get('stats')
  @ApiOperation({ summary: 'Counters for an org subtree: received, accepted in time, answered in time, overdue, …' })
  stats(@Query('orgUnit') orgUnit: string | undefined, @CurrentActor() actor: Actor) {
    const unit = orgUnit ?? actor.orgUnit;
    this.assertWithin(unit, actor);
    return this.queries.counters(unit);
  }

  @Get(':id')
  @ApiOkResponse({ description: 'Case detail with open deadlines and a recent timeline' })
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    const row = await this.queries.get(id);
    if (!row) throw new NotFoundException({ code: 'PETITION_NOT_FOUND', message: `no petition ${id}` });
    this.assertWithin(row.orgUnit, actor);
    return row;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of the case from the log, with actor, role, org unit, time and cause' })
  async historyOf(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    const h = await this.history.history('petition', id, actor);
    if (!h) throw new NotFoundException({ code: 'PETITION_NOT_FOUND', message: `no petition ${id}` });
    if (!h.orgUnits.some((u) => this.org.directory.isWithin(u, actor.orgUnit)))
      throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: 'this case is outside your org subtree' });
    return redactAccuserFor(h, actor, this.org.directory);
  }

  private assertWithin(orgUnit: string, actor: Actor): void {
    if (!this.org.directory.has(orgUnit)) throw new NotFoundException({ code: 'UNKNOWN_ORG_UNIT', message: `no org unit ${orgUnit}` });
    if (!this.org.directory.isWithin(orgUnit, actor.orgUnit))
      throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: `org unit ${orgUnit} is outside your subtree` });
  }
}
