import { BadRequestException, Body, Controller, ForbiddenException, Get, Headers, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Actor, DomainError, HardshipCommand, hardshipFileDecider } from '@hearth/domain';
import { derivedId, EventStore } from '@hearth/event-store';
import {
  CLOCK,
  Clock,
  COMMAND_RUNNER,
  CommandOutcome,
  CommandRunner,
  CurrentActor,
  HandleCaseCommand,
  HEARTH_CONFIG,
  HearthConfig,
  KEY_STORE,
  KeyStore,
  ORG_REGISTRY,
  RAW_EVENT_STORE,
  OrgRegistry,
  Roles,
  commandMetaFrom,
} from '@hearth/platform';
import { HardshipQueries } from '@hearth/read-models';
import { CommandResultDto } from '../petitions/petition.dto';
import { CaseHistoryService } from '../history/case-history.service';
import { CommandRoles } from '../command-roles.decorator';
import { resolveHardshipFile } from './blind-index';
import { DisbursementService } from './disbursement.service';
import {
  AcknowledgeAidDto,
  ApplyForHardshipFileDto,
  CompleteAnnualReviewDto,
  ConsentDto,
  DisburseAidDto,
  DisbursementResultDto,
  EconomicCheckDto,
  ExitFileDto,
  HomeVisitDto,
  ListHardshipFilesQuery,
  LookupFileDto,
  NoteDto,
  OrgUnitQuery,
  OverrideCategoryDto,
  ProposeAidDto,
  PublicNoticeDto,
  RaiseObjectionDto,
  ReasonDto,
  ResolveObjectionDto,
} from './hardship.dto';

type Hdrs = Record<string, string | undefined>;

const AID_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The personal part of hardship events is replaced by this in histories served over HTTP. */
const REDACTED = '[personal data withheld]';

/**
 * Hardship-assistance files (困难职工帮扶, domain-spec §3): one file per household, its id a keyed hash of the
 * head of household's ID number; aid measures are child records of the file; money moves through funds.
 * Routes send commands to the hardship decider, which enforces roles, org scope and the rules; reads come
 * from the Redis read model, which holds no personal data.
 */
@ApiTags('hardship')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key returns the first result and appends nothing' })
@ApiHeader({ name: 'If-Match', required: false, description: 'Expected stream revision of the file; a mismatch answers 409 with the current revision' })
@Controller('hardship-files')
export class HardshipFilesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: HardshipQueries,
    private readonly history: CaseHistoryService,
    private readonly disbursements: DisbursementService,
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KEY_STORE) private readonly keys: KeyStore,
    @Inject(RAW_EVENT_STORE) private readonly rawStore: EventStore,
  ) {}

  private async send(id: string, command: HardshipCommand, actor: Actor, headers: Hdrs, scope: string = command.type): Promise<CommandResultDto> {
    const meta = commandMetaFrom(headers, actor, `hardship|${id}|${scope}`);
    const out = await this.commands.execute<HandleCaseCommand, CommandOutcome>(new HandleCaseCommand('hardship', id, command, actor, meta));
    return { id, ...out };
  }

  /** A client-chosen child id, else one derived from the Idempotency-Key (stable across retries), else random. */
  private childId(given: string | undefined, actor: Actor, scope: string, headers: Hdrs): string {
    if (given) return given;
    const key = headers['idempotency-key'];
    return key ? derivedId(`${actor.id}|${scope}|${key}`) : randomUUID();
  }

  @Post()
  @CommandRoles('hardship', 'ApplyForHardshipFile')
  @ApiOperation({ summary: 'Apply for a hardship file (建档申请); one file per household (一户一档): a second application is refused' })
  async apply(@Body() dto: ApplyForHardshipFileDto, @CurrentActor() actor: Actor, @Headers() h: Hdrs, @Res({ passthrough: true }) res: FastifyReply) {
    const { id } = await resolveHardshipFile(dto.personal.idNumber, this.config.blindIndexKey, this.keys, this.rawStore);
    try {
      const out = await this.send(id, { type: 'ApplyForHardshipFile', fileId: id, orgUnit: dto.orgUnit, stats: dto.stats, personal: dto.personal }, actor, h);
      void res.status(201).header('location', `/hardship-files/${id}`);
      return out;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'HARDSHIP_FILE_EXISTS') {
        // Say that the household is on record (一户一档), but point at the file only for those who may see it.
        const { state } = await this.runner.stateOf(hardshipFileDecider, id);
        const visible = state.exists && this.org.directory.isWithin(state.orgUnit, actor.orgUnit);
        throw new DomainError('HARDSHIP_FILE_EXISTS', 'this household already has a hardship file (一户一档)', 'rule', visible ? { fileId: id, orgUnit: state.orgUnit } : undefined);
      }
      throw err;
    }
  }

  @Post('lookup')
  @HttpCode(200)
  @Roles('intake', 'officer', 'head', 'supervisor', 'auditor')
  @ApiOperation({ summary: 'Find the file of a household by the head of household’s ID number (blind index; the number is not stored)' })
  async lookup(@Body() dto: LookupFileDto, @CurrentActor() actor: Actor) {
    // Erasure removed the file's blind-index entry: the number finds nothing any more.
    const { id, live } = await resolveHardshipFile(dto.idNumber, this.config.blindIndexKey, this.keys, this.rawStore);
    const { state } = await this.runner.stateOf(hardshipFileDecider, id);
    if (!live || !state.exists || !this.org.directory.isWithin(state.orgUnit, actor.orgUnit))
      throw new NotFoundException({ code: 'HARDSHIP_FILE_NOT_FOUND', message: 'no hardship file for this household in your subtree' });
    return { id, status: state.status, orgUnit: state.orgUnit, category: state.category };
  }

  @Post(':id/pre-screen') @HttpCode(200) @CommandRoles('hardship', 'PreScreen') @ApiOperation({ summary: 'Pre-screen by the grassroots union (L4) the file is lodged with' })
  preScreen(@Param('id', ParseUUIDPipe) id: string, @Body() dto: NoteDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'PreScreen', ...dto }, a, h);
  }

  @Post(':id/home-visit') @HttpCode(200) @CommandRoles('hardship', 'RecordHomeVisit')
  homeVisit(@Param('id', ParseUUIDPipe) id: string, @Body() dto: HomeVisitDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RecordHomeVisit', ...dto }, a, h);
  }

  @Post(':id/consent') @HttpCode(200) @CommandRoles('hardship', 'RecordConsent') @ApiOperation({ summary: 'Record the household’s signed consent (PIPL)' })
  consent(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ConsentDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RecordConsent', ...dto }, a, h);
  }

  @Post(':id/economic-check') @HttpCode(200) @CommandRoles('hardship', 'RecordEconomicCheck') @ApiOperation({ summary: 'Record the verified household figures (a re-check during the notice restarts it)' })
  economicCheck(@Param('id', ParseUUIDPipe) id: string, @Body() dto: EconomicCheckDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RecordEconomicCheck', stats: dto.stats, sources: dto.sources, ...(dto.note ? { note: dto.note } : {}) }, a, h);
  }

  @Post(':id/public-notice') @HttpCode(200) @CommandRoles('hardship', 'StartPublicNotice') @ApiOperation({ summary: 'Start the public notice (公示); its period is a deadline that completes the notice when it lapses' })
  publicNotice(@Param('id', ParseUUIDPipe) id: string, @Body() dto: PublicNoticeDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'StartPublicNotice', ...dto }, a, h);
  }

  @Post(':id/objections') @HttpCode(201) @CommandRoles('hardship', 'RaiseObjection') @ApiOperation({ summary: 'Record an objection raised during the public notice' })
  async raiseObjection(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RaiseObjectionDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    const objectionId = this.childId(dto.objectionId, a, `hardship|${id}|objection`, h);
    const out = await this.send(id, { type: 'RaiseObjection', ...dto, objectionId }, a, h);
    return { ...out, objectionId };
  }

  @Post(':id/objections/:objectionId/resolution') @HttpCode(200) @CommandRoles('hardship', 'ResolveObjection')
  resolveObjection(@Param('id', ParseUUIDPipe) id: string, @Param('objectionId') objectionId: string, @Body() dto: ResolveObjectionDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ResolveObjection', objectionId: this.param(objectionId, 'objectionId'), ...dto }, a, h, `ResolveObjection|${objectionId}`);
  }

  @Post(':id/registration') @HttpCode(200) @CommandRoles('hardship', 'RegisterFile') @ApiOperation({ summary: 'Register the file (head): category from the verified figures and the 低保 line; opens the annual review' })
  register(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RegisterFile' }, a, h);
  }

  @Post(':id/category-override') @HttpCode(200) @CommandRoles('hardship', 'OverrideCategory') @ApiOperation({ summary: 'Override the computed category (head, with a reason)' })
  overrideCategory(@Param('id', ParseUUIDPipe) id: string, @Body() dto: OverrideCategoryDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'OverrideCategory', ...dto }, a, h);
  }

  @Post(':id/annual-review') @HttpCode(200) @CommandRoles('hardship', 'StartAnnualReview') @ApiOperation({ summary: 'Start the annual review (年度复核)' })
  startReview(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'StartAnnualReview' }, a, h);
  }

  @Post(':id/annual-review/completion') @HttpCode(200) @CommandRoles('hardship', 'CompleteAnnualReview') @ApiOperation({ summary: 'Complete the annual review: continue (re-categorised, next review opened) or exit (head)' })
  completeReview(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CompleteAnnualReviewDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'CompleteAnnualReview', ...dto }, a, h);
  }

  @Post(':id/exit') @HttpCode(200) @CommandRoles('hardship', 'ExitFile') @ApiOperation({ summary: 'Exit the file (head) with a reason; sets the retention end date' })
  exit(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ExitFileDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ExitFile', ...dto }, a, h);
  }

  @Post(':id/rejection') @HttpCode(200) @CommandRoles('hardship', 'RejectFile')
  reject(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'RejectFile', ...dto }, a, h);
  }

  @Post(':id/reopening') @HttpCode(200) @CommandRoles('hardship', 'ReopenFile') @ApiOperation({ summary: 'Reopen an exited file on relapse (返困): back to the economic check' })
  reopen(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ReopenFile', ...dto }, a, h);
  }

  @Post(':id/aid') @HttpCode(201) @CommandRoles('hardship', 'ProposeAid') @ApiOperation({ summary: 'Propose an aid measure (limits by kind, campaign windows)' })
  async proposeAid(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ProposeAidDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    const aidId = this.childId(dto.aidId, a, `hardship|${id}|aid`, h);
    const out = await this.send(id, { type: 'ProposeAid', ...dto, aidId }, a, h);
    return { ...out, aidId };
  }

  @Post(':id/aid/:aidId/approval') @HttpCode(200) @CommandRoles('hardship', 'ApproveAid') @ApiOperation({ summary: 'Approve an aid (head; above the configured amount a head of a unit above the file’s)' })
  approveAid(@Param('id', ParseUUIDPipe) id: string, @Param('aidId') aidId: string, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'ApproveAid', aidId: this.param(aidId, 'aidId') }, a, h, `ApproveAid|${aidId}`);
  }

  @Post(':id/aid/:aidId/disbursement')
  @HttpCode(200)
  // Records the disbursement on the file and draws from the fund: both tables admit the same roles (test).
  @CommandRoles('hardship', 'RecordDisbursement')
  @ApiOperation({ summary: 'Disburse an approved aid: draw from its fund (refused with 422 FUND_OVERDRAWN), then record it on the file' })
  @ApiOkResponse({ type: DisbursementResultDto })
  disburse(@Param('id', ParseUUIDPipe) id: string, @Param('aidId') aidId: string, @Body() dto: DisburseAidDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    const meta = commandMetaFrom(h, a, `hardship|${id}|DisburseAid|${aidId}`);
    return this.disbursements.disburse(id, this.param(aidId, 'aidId'), dto, a, meta);
  }

  @Post(':id/aid/:aidId/acknowledgement') @HttpCode(200) @CommandRoles('hardship', 'AcknowledgeAid') @ApiOperation({ summary: 'The household signed for the aid (签领)' })
  acknowledgeAid(@Param('id', ParseUUIDPipe) id: string, @Param('aidId') aidId: string, @Body() dto: AcknowledgeAidDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    return this.send(id, { type: 'AcknowledgeAid', aidId: this.param(aidId, 'aidId'), ...dto }, a, h, `AcknowledgeAid|${aidId}`);
  }

  @Post(':id/aid/:aidId/revocation') @HttpCode(200) @CommandRoles('hardship', 'RevokeAid') @ApiOperation({ summary: 'Revoke an aid (head, with a reason); a disbursed aid’s money returns to its fund' })
  revokeAid(@Param('id', ParseUUIDPipe) id: string, @Param('aidId') aidId: string, @Body() dto: ReasonDto, @CurrentActor() a: Actor, @Headers() h: Hdrs) {
    const meta = commandMetaFrom(h, a, `hardship|${id}|RevokeAid|${aidId}`);
    return this.disbursements.revoke(id, this.param(aidId, 'aidId'), dto.reason, a, meta);
  }

  @Get()
  @ApiOperation({ summary: 'Files of an org subtree, filtered by status / category / deadlines, paginated (read model, no personal data)' })
  list(@Query() q: ListHardshipFilesQuery, @CurrentActor() actor: Actor) {
    const orgUnit = q.orgUnit ?? actor.orgUnit;
    this.assertWithin(orgUnit, actor);
    return this.queries.list({
      orgUnit,
      status: q.status,
      category: q.category,
      dueBefore: q.dueBefore,
      overdue: q.overdue === 'true',
      now: this.clock.now().toISOString(),
      sort: q.sort ?? 'applied',
      order: q.order,
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
  }

  @Get('stats')
  @ApiOperation({
    summary:
      'Statistics of an org subtree: households on file by category, new files and exits by reason, 解困脱困率 by year, aid by kind / fund / month, average per household, reviews on time',
  })
  stats(@Query() q: OrgUnitQuery, @CurrentActor() actor: Actor) {
    const unit = q.orgUnit ?? actor.orgUnit;
    this.assertWithin(unit, actor);
    return this.queries.stats(unit);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A file: status, category, public notice, aid measures, pending deadlines, recent timeline (no personal data)' })
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    const doc = await this.queries.get(id, this.clock.now().toISOString());
    if (!doc) throw new NotFoundException({ code: 'HARDSHIP_FILE_NOT_FOUND', message: `no hardship file ${id}` });
    this.assertWithin(doc.orgUnit, actor);
    return doc;
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of the file from the log (who, when, why); personal parts are withheld' })
  async historyOf(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    const hist = await this.history.history('hardship', id, actor);
    if (!hist) throw new NotFoundException({ code: 'HARDSHIP_FILE_NOT_FOUND', message: `no hardship file ${id}` });
    if (!hist.orgUnits.some((u) => this.org.directory.isWithin(u, actor.orgUnit)))
      throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: 'this file is outside your org subtree' });
    // Reading a household's personal data is a separate, logged act (domain-spec §5); the history never shows it.
    return {
      ...hist,
      events: hist.events.map((e) => {
        const data = (e.data ?? {}) as Record<string, unknown>;
        return 'personal' in data ? { ...e, data: { ...data, personal: REDACTED } } : e;
      }),
    };
  }

  private param(value: string, name: string): string {
    if (!AID_ID.test(value))
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: `${name} is not a valid id`, errors: [{ field: name, messages: ['must be 1–64 characters: letters, digits, _ or -'] }] });
    return value;
  }

  private assertWithin(orgUnit: string, actor: Actor): void {
    if (!this.org.directory.has(orgUnit)) throw new NotFoundException({ code: 'UNKNOWN_ORG_UNIT', message: `no org unit ${orgUnit}` });
    if (!this.org.directory.isWithin(orgUnit, actor.orgUnit))
      throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: `org unit ${orgUnit} is outside your subtree` });
  }
}
