import { Body, Controller, ForbiddenException, Get, Headers, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Actor, MediationCommand } from '@hearth/domain';
import { derivedId } from '@hearth/event-store';
import { CLOCK, Clock, CommandOutcome, CurrentActor, HandleCaseCommand, ORG_REGISTRY, OrgRegistry, commandMetaFrom } from '@hearth/platform';
import { MediationQueries } from '@hearth/read-models';
import { CommandResultDto } from '../petitions/petition.dto';
import { CaseHistoryService } from '../history/case-history.service';
import { CommandRoles } from '../command-roles.decorator';
import {
  AdvisePaymentOrderDto,
  ApplyForMediationDto,
  AssignLegalAidLawyerDto,
  AssignMediatorDto,
  CloseMediationDto,
  DecideLegalAidDto,
  ExtendMediationPeriodDto,
  ListMediationsQuery,
  MediationStatsQuery,
  RecordAgreementDto,
  RecordArbitrationFiledDto,
  RecordBreachDto,
  RecordMediationFailedDto,
  RecordPerformanceDto,
  ReferToArbitrationDto,
  RejectApplicationDto,
  RequestLegalAidDto,
  ScheduleSessionDto,
  SessionHeldDto,
  SignAgreementDto,
  WorkerInformedDto,
} from './mediation.dto';

type Hdrs = Record<string, string | undefined>;

/** Coarse filter; the decider checks each command's roles, the case's subtree and the assigned mediator. */
/** Obligation and session ids are client-chosen or `session-<n>`: short plain tokens only. */
const ID_TOKEN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Labour-dispute mediation 劳动争议调解 (domain-spec §2): every command of the mediation decider over HTTP, the
 * read model (list, detail) and the statistics of §4. Deadlines (acceptance, statutory 15 days, the body's period,
 * legal aid, each obligation) are opened by the decider and fired by the worker; escalations are acknowledged at
 * `/alerts`.
 */
@ApiTags('mediations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key returns the first result and appends nothing' })
@ApiHeader({ name: 'If-Match', required: false, description: 'Expected stream revision; a mismatch answers 409 with the current revision' })
@Controller('mediations')
export class MediationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: MediationQueries,
    private readonly history: CaseHistoryService,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async send(id: string, command: MediationCommand, actor: Actor, headers: Hdrs, scope = ''): Promise<CommandResultDto> {
    const meta = commandMetaFrom(headers, actor, `mediation|${id}|${command.type}${scope}`);
    const out = await this.commands.execute<HandleCaseCommand, CommandOutcome>(new HandleCaseCommand('mediation', id, command, actor, meta));
    return { id, ...out };
  }

  private token(value: string, field: string): string {
    if (!ID_TOKEN.test(value))
      throw new NotFoundException({ code: field === 'sessionId' ? 'SESSION_NOT_FOUND' : 'OBLIGATION_NOT_FOUND', message: `no ${field} ${value}` });
    return value;
  }

  @Post()
  @CommandRoles('mediation', 'ApplyForMediation')
  @ApiOperation({ summary: 'Apply for mediation (written or oral, LDMAL art. 12); opens the acceptance and the statutory 15-day clocks' })
  async apply(@Body() dto: ApplyForMediationDto, @CurrentActor() actor: Actor, @Headers() h: Hdrs, @Res({ passthrough: true }) res: FastifyReply) {
    const key = h['idempotency-key'];
    const id = dto.mediationId ?? (key ? derivedId(`${actor.id}|apply-mediation|${key}`) : randomUUID());
    const out = await this.send(
      id,
      {
        type: 'ApplyForMediation',
        mediationId: id,
        orgUnit: dto.orgUnit,
        form: dto.form,
        workers: dto.workers.map((w) => ({ ...w })),
        employer: { ...dto.employer },
        facts: dto.facts,
        claims: dto.claims.map((c) => ({ ...c })),
        headcount: dto.headcount,
        commonClaim: dto.commonClaim,
        ...(dto.representatives ? { representatives: dto.representatives } : {}),
        disputeDate: dto.disputeDate,
      },
      actor,
      h,
    );
    void res.status(201).header('location', `/mediations/${id}`);
    return out;
  }

  @Post(':id/acceptance') @HttpCode(200) @CommandRoles('mediation', 'AcceptApplication')
  @ApiOperation({ summary: 'Accept (3 working days, local rule); opens the body’s own 15-day mediation period' })
  accept(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'AcceptApplication' }, a, h);
  }

  @Post(':id/rejection') @HttpCode(200) @CommandRoles('mediation', 'RejectApplication') @ApiOperation({ summary: 'Reject with a written reason; the worker may go to arbitration' })
  reject(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RejectApplicationDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RejectApplication', reason: dto.reason }, a, h);
  }

  @Post(':id/mediator') @HttpCode(200) @CommandRoles('mediation', 'AssignMediator')
  assignMediator(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AssignMediatorDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'AssignMediator', mediatorId: dto.mediatorId }, a, h);
  }

  @Post(':id/sessions') @HttpCode(200) @CommandRoles('mediation', 'ScheduleSession') @ApiOperation({ summary: 'Schedule a session (ids session-1, session-2, …)' })
  scheduleSession(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ScheduleSessionDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ScheduleSession', at: dto.at, place: dto.place }, a, h);
  }

  @Post(':id/sessions/:sessionId/held') @HttpCode(200) @CommandRoles('mediation', 'RecordSessionHeld') @ApiParam({ name: 'sessionId', example: 'session-1' })
  @ApiOperation({ summary: 'Record a session as held, with outcome notes (the assigned mediator)' })
  sessionHeld(@Param('id', ParseUUIDPipe) id: string, @Param('sessionId') sessionId: string, @Body() dto: SessionHeldDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RecordSessionHeld', sessionId: this.token(sessionId, 'sessionId'), notes: dto.notes ?? '' }, a, h, `|${sessionId}`);
  }

  @Post(':id/period-extension') @HttpCode(200) @CommandRoles('mediation', 'ExtendMediationPeriod')
  @ApiOperation({ summary: 'Extend the body’s mediation period — only with both parties’ recorded consent (head)' })
  extend(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ExtendMediationPeriodDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ExtendMediationPeriod', days: dto.days, ...(dto.consent ? { consent: { ...dto.consent } } : {}) }, a, h);
  }

  @Post(':id/agreement') @HttpCode(200) @CommandRoles('mediation', 'RecordAgreement') @ApiOperation({ summary: 'Record the agreement: obligations, amounts, due dates (the assigned mediator)' })
  recordAgreement(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RecordAgreementDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RecordAgreement', obligations: dto.obligations.map((o) => ({ ...o })) }, a, h);
  }

  @Post(':id/agreement/signatures') @HttpCode(200) @CommandRoles('mediation', 'SignAgreement') @ApiOperation({ summary: 'Record a signature: worker, employer or mediator' })
  sign(@Param('id', ParseUUIDPipe) id: string, @Body() dto: SignAgreementDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'SignAgreement', party: dto.party, ...(dto.signatoryId ? { signatoryId: dto.signatoryId } : {}) }, a, h, `|${dto.party}`);
  }

  @Post(':id/agreement/seal') @HttpCode(200) @CommandRoles('mediation', 'SealAgreement')
  @ApiOperation({ summary: 'Seal (head): effective once signed by both parties and the mediator (art. 14); each obligation’s due date becomes a deadline' })
  seal(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'SealAgreement' }, a, h);
  }

  @Post(':id/failure') @HttpCode(200) @CommandRoles('mediation', 'RecordMediationFailed') @ApiOperation({ summary: 'Mediation failed; the worker may go to arbitration' })
  failed(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RecordMediationFailedDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RecordMediationFailed', reason: dto.reason, ...(dto.note ? { note: dto.note } : {}) }, a, h);
  }

  @Post(':id/worker-informed') @HttpCode(200) @CommandRoles('mediation', 'RecordWorkerInformed') @ApiOperation({ summary: 'Record that the worker was told of the right to arbitration' })
  workerInformed(@Param('id', ParseUUIDPipe) id: string, @Body() dto: WorkerInformedDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RecordWorkerInformed', method: dto.method }, a, h);
  }

  @Post(':id/obligations/:obligationId/performance') @HttpCode(200) @CommandRoles('mediation', 'RecordPerformance') @ApiOperation({ summary: 'Record a payment on an obligation' })
  performance(@Param('id', ParseUUIDPipe) id: string, @Param('obligationId') ob: string, @Body() dto: RecordPerformanceDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RecordPerformance', obligationId: this.token(ob, 'obligationId'), amountYuan: dto.amountYuan, at: dto.at }, a, h, `|${ob}`);
  }

  @Post(':id/obligations/:obligationId/breach') @HttpCode(200) @CommandRoles('mediation', 'RecordBreach') @ApiOperation({ summary: 'Record a breach after the due date (art. 15)' })
  breach(@Param('id', ParseUUIDPipe) id: string, @Param('obligationId') ob: string, @Body() dto: RecordBreachDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RecordBreach', obligationId: this.token(ob, 'obligationId'), note: dto.note }, a, h, `|${ob}`);
  }

  @Post(':id/obligations/:obligationId/payment-order') @HttpCode(200) @CommandRoles('mediation', 'AdvisePaymentOrder')
  @ApiOperation({ summary: 'Advise a payment order 支付令 for unpaid wages, injury medical costs or severance (art. 16)' })
  paymentOrder(@Param('id', ParseUUIDPipe) id: string, @Param('obligationId') ob: string, @Body() dto: AdvisePaymentOrderDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(
      id,
      { type: 'AdvisePaymentOrder', obligationId: this.token(ob, 'obligationId'), ...(dto.court ? { court: dto.court } : {}), ...(dto.note ? { note: dto.note } : {}) },
      a,
      h,
      `|${ob}`,
    );
  }

  @Post(':id/arbitration-referral') @HttpCode(200) @CommandRoles('mediation', 'ReferToArbitration') @ApiOperation({ summary: 'Refer a breached agreement to arbitration (art. 15)' })
  refer(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReferToArbitrationDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ReferToArbitration', ...(dto.commission ? { commission: dto.commission } : {}), ...(dto.note ? { note: dto.note } : {}) }, a, h);
  }

  @Post(':id/arbitration-filing') @HttpCode(200) @CommandRoles('mediation', 'RecordArbitrationFiled')
  @ApiOperation({ summary: 'External milestone: arbitration applied for / accepted (award due 45 (+15) days, art. 43)' })
  arbitrationFiled(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RecordArbitrationFiledDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(
      id,
      {
        type: 'RecordArbitrationFiled',
        filedAt: dto.filedAt,
        ...(dto.acceptedByCommissionOn ? { acceptedByCommissionOn: dto.acceptedByCommissionOn } : {}),
        ...(dto.commission ? { commission: dto.commission } : {}),
      },
      a,
      h,
    );
  }

  @Post(':id/legal-aid') @HttpCode(200) @CommandRoles('mediation', 'RequestLegalAid') @ApiOperation({ summary: 'Request legal aid (decide within 7 days, 法律援助法 art. 43)' })
  requestLegalAid(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RequestLegalAidDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(
      id,
      { type: 'RequestLegalAid', workerIds: dto.workerIds, migrantWageClaim: dto.migrantWageClaim, ...(dto.meansTested ? { meansTested: { eligible: dto.meansTested.eligible } } : {}) },
      a,
      h,
    );
  }

  @Post(':id/legal-aid/decision') @HttpCode(200) @CommandRoles('mediation', 'DecideLegalAid')
  @ApiOperation({ summary: 'Decide legal aid (head); migrant workers claiming wages skip the means test (art. 42)' })
  decideLegalAid(@Param('id', ParseUUIDPipe) id: string, @Body() dto: DecideLegalAidDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(
      id,
      { type: 'DecideLegalAid', granted: dto.granted, reason: dto.reason, ...(dto.meansTest ? { meansTest: { eligible: dto.meansTest.eligible } } : {}) },
      a,
      h,
    );
  }

  @Post(':id/legal-aid/lawyer') @HttpCode(200) @CommandRoles('mediation', 'AssignLegalAidLawyer') @ApiOperation({ summary: 'Assign the legal-aid lawyer (within 3 days of the decision)' })
  assignLawyer(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AssignLegalAidLawyerDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'AssignLegalAidLawyer', lawyer: { ...dto.lawyer } }, a, h);
  }

  @Post(':id/closure') @HttpCode(200) @CommandRoles('mediation', 'CloseMediation') @ApiOperation({ summary: 'Close (head) once rejected, performed, failed, referred or a payment order advised' })
  close(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CloseMediationDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'CloseMediation', reason: dto.reason }, a, h);
  }

  // ---------------------------------------------------------------- queries

  @Get()
  @ApiOperation({ summary: 'Mediation cases of an org subtree, filtered by status, mediator, collective, month of receipt (read model)' })
  list(@Query() q: ListMediationsQuery, @CurrentActor() actor: Actor) {
    const orgUnit = q.orgUnit ?? actor.orgUnit;
    this.assertWithin(orgUnit, actor);
    return this.queries.list({
      orgUnit,
      status: q.status,
      mediatorId: q.mediatorId,
      collective: q.collective === undefined ? undefined : q.collective === 'true',
      month: q.month,
      overdue: q.overdue === 'true' ? true : undefined,
      now: this.clock.now().toISOString(),
      sort: q.sort ?? 'received',
      order: q.order,
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
  }

  @Get('stats')
  @ApiOperation({
    summary:
      'domain-spec §4: applications, acceptance, success rate, average days to agreement, performance, referrals, payment orders, yuan claimed and recovered, workers covered — for a subtree, in total or for one month, with each child unit',
  })
  async stats(@Query() q: MediationStatsQuery, @CurrentActor() actor: Actor) {
    const unit = q.orgUnit ?? actor.orgUnit;
    this.assertWithin(unit, actor);
    const children = this.org.directory.childrenOf(unit).map((u) => u.id);
    const [own, ...byUnit] = await this.queries.statsOf([unit, ...children], q.month);
    return { ...own, byUnit };
  }

  @Get(':id')
  @ApiOkResponse({ description: 'Case detail: status, clocks and deadlines, agreement and obligations, arbitration milestones, legal aid, the link to a petition, timeline' })
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    const row = await this.queries.get(id, this.clock.now());
    if (!row) throw new NotFoundException({ code: 'MEDIATION_NOT_FOUND', message: `no mediation ${id}` });
    this.assertWithin(row.orgUnit, actor);
    return row;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of the case from the log, with actor, role, org unit, time, cause and legal basis' })
  async historyOf(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    const h = await this.history.history('mediation', id, actor);
    if (!h) throw new NotFoundException({ code: 'MEDIATION_NOT_FOUND', message: `no mediation ${id}` });
    if (!h.orgUnits.some((u) => this.org.directory.isWithin(u, actor.orgUnit)))
      throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: 'this case is outside your org subtree' });
    return h;
  }

  private assertWithin(orgUnit: string, actor: Actor): void {
    if (!this.org.directory.has(orgUnit)) throw new NotFoundException({ code: 'UNKNOWN_ORG_UNIT', message: `no org unit ${orgUnit}` });
    if (!this.org.directory.isWithin(orgUnit, actor.orgUnit))
      throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: `org unit ${orgUnit} is outside your subtree` });
  }
}
