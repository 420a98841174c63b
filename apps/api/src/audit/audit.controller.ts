import { BadRequestException, Controller, ForbiddenException, Get, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '@hearth/domain';
import type { EventStore } from '@hearth/event-store';
import { CLOCK, Clock, CurrentActor, DECIDERS, ORG_REGISTRY, OrgRegistry, RAW_EVENT_STORE, Roles } from '@hearth/platform';
import { CaseHistory, CaseHistoryService } from '../history/case-history.service';
import { redactHistoryFor } from '../history/history-redaction';
import { AsOfQuery, HistoryQuery, IntegrityQuery, IntegrityReportDto } from './audit.dto';
import { CaseAsOfService } from './case-as-of.service';
import { HTML_CSP, historyCsv, historyHtml, historyTimeline } from './history-export';

/** Case ids: UUIDs for cases and files, short codes for funds. */
const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Who may read a case's audit views: auditors and the case handlers' chain of command, within their subtree. */
const READERS = ['auditor', 'officer', 'head', 'supervisor'] as const;

/**
 * Audit (issue 6), generic over every workflow registered in the decider registry: a case's full history as JSON,
 * CSV, a printable HTML page or a plain-text timeline; its state and read-model row as of any time or revision; the
 * integrity of the whole log (hash chains). Personal values are masked in every view (revealing them is the
 * separate, logged POST /privacy/subjects/{id}/reveal); the workflow redactions (accuser, household data) apply as
 * on the workflow routes.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly history: CaseHistoryService,
    private readonly asOfService: CaseAsOfService,
    @Inject(RAW_EVENT_STORE) private readonly store: EventStore,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('cases/:category/:id/history')
  @Roles(...READERS)
  @ApiOperation({
    summary: 'Every event of a case with actor, role, org unit, time, cause (command / deadline timer) and legal basis',
    description: 'format=json (default) | csv (RFC 4180, UTF-8 with BOM, for Excel) | html (self-contained printable page) | timeline (plain text)',
  })
  @ApiProduces('application/json', 'text/csv', 'text/html', 'text/plain')
  async caseHistory(
    @Param('category') category: string,
    @Param('id') id: string,
    @Query() q: HistoryQuery,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const h = await this.readableHistory(category, id, actor);
    void res.header('cache-control', 'no-store');
    const ctx = { org: this.org.directory, generatedAt: this.clock.now().toISOString(), generatedBy: actor.id, accuserRedacted: h.accuserRedacted === true };
    switch (q.format ?? 'json') {
      case 'csv':
        void res
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${category}-${id}-history.csv"`);
        return historyCsv(h, ctx);
      case 'html':
        void res.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', HTML_CSP).header('x-content-type-options', 'nosniff');
        return historyHtml(h, ctx);
      case 'timeline':
        void res.header('content-type', 'text/plain; charset=utf-8');
        return historyTimeline(h, ctx);
      default:
        return h;
    }
  }

  @Get('cases/:category/:id/as-of')
  @Roles(...READERS)
  @ApiOperation({
    summary: "A case's state (decider fold) and its read-model row as they were at a domain time (?at=ISO) or revision (?revision=N)",
  })
  async asOf(@Param('category') category: string, @Param('id') id: string, @Query() q: AsOfQuery, @CurrentActor() actor: Actor) {
    if ((q.at === undefined) === (q.revision === undefined))
      throw new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: 'give exactly one of at and revision',
        errors: [{ field: q.at === undefined ? 'at' : 'revision', messages: ['exactly one of at (ISO time) and revision is required'] }],
      });
    this.checkCaseRef(category, id);
    try {
      // The same scope as the history's, from the org units the as-of service collects (a long case's full history is
      // not read just for them).
      const out = await this.asOfService.asOf(category, id, q.at !== undefined ? { at: q.at } : { revision: q.revision! }, (orgUnits) => {
        if (!orgUnits.some((u) => this.org.directory.isWithin(u, actor.orgUnit)))
          throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: 'this case is outside your org subtree' });
      });
      if (!out) throw this.notFound(category, id);
      return out;
    } catch (err) {
      if (err instanceof RangeError) throw new NotFoundException({ code: 'REVISION_NOT_FOUND', message: err.message });
      throw err;
    }
  }

  @Get('integrity')
  @Roles('auditor')
  @ApiOperation({
    summary: 'Walk the hash chains of the whole log and report the first break (edited, deleted, reordered, inserted, truncated); auditors of the city federation only',
    description:
      'The report is about every stream of every unit (a break names its stream and revision), so only auditors of a level-1 unit may ask; others get 403 INTEGRITY_CITY_AUDITORS_ONLY. ' +
      'Truncation of the newest events is only provable against a head kept elsewhere: pass headPosition and headHash from an earlier report.',
  })
  @ApiOkResponse({ type: IntegrityReportDto })
  async integrity(@Query() q: IntegrityQuery, @CurrentActor() actor: Actor) {
    // The whole log: every unit's streams. A district or street auditor sees only its subtree, so it may not ask.
    if (this.org.directory.get(actor.orgUnit)?.level !== 1)
      throw new ForbiddenException({ code: 'INTEGRITY_CITY_AUDITORS_ONLY', message: '日志完整性报告涵盖全部单位的案件，仅市总工会的审计人员可以查看' });
    if ((q.headPosition === undefined) !== (q.headHash === undefined))
      throw new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: 'give headPosition and headHash together',
        errors: [{ field: q.headHash === undefined ? 'headHash' : 'headPosition', messages: ['headPosition and headHash go together'] }],
      });
    if (!this.store.verifyIntegrity)
      throw new NotFoundException({ code: 'INTEGRITY_NOT_SUPPORTED', message: 'this event store keeps no hash chain (see the README on EventStoreDB)' });
    return this.store.verifyIntegrity(q.headPosition !== undefined ? { expectedHead: { position: q.headPosition, logHash: q.headHash! } } : {});
  }

  /** The masked, redacted history of a case the actor may read (404 unknown, 403 outside the subtree). */
  private async readableHistory(category: string, id: string, actor: Actor): Promise<CaseHistory & { accuserRedacted?: true }> {
    this.checkCaseRef(category, id);
    const h = await this.history.auditHistory(category, id);
    if (!h) throw this.notFound(category, id);
    if (!h.orgUnits.some((u) => this.org.directory.isWithin(u, actor.orgUnit)))
      throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: 'this case is outside your org subtree' });
    return redactHistoryFor(category, h, actor, this.org.directory);
  }

  private checkCaseRef(category: string, id: string): void {
    if (!DECIDERS.has(category)) throw new NotFoundException({ code: 'UNKNOWN_WORKFLOW', message: `no workflow ${category}` });
    if (!CASE_ID.test(id))
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'id is not a valid case id', errors: [{ field: 'id', messages: ['must be 1–64 characters: letters, digits, _ or -'] }] });
  }

  private notFound(category: string, id: string): NotFoundException {
    return new NotFoundException({ code: 'CASE_NOT_FOUND', message: `no ${category} ${id}` });
  }
}
