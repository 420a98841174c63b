import { Body, Controller, ForbiddenException, Get, Headers, HttpCode, Inject, MessageEvent, NotFoundException, Param, Post, Query, Sse, UnprocessableEntityException } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import type Redis from 'ioredis';
import { Observable, map } from 'rxjs';
import type { Actor } from '@hearth/domain';
import { Alert, ALERT_STATUSES, AlertQueries, AlertStatus, ESCALATION_KINDS } from '@hearth/read-models';
import {
  AcknowledgeEscalationCmd,
  CommandOutcome,
  CurrentActor,
  HEARTH_CONFIG,
  HearthConfig,
  ORG_REGISTRY,
  OrgRegistry,
  QueryTokenAllowed,
  readDeliveryStatus,
  REDIS,
  Roles,
  commandMetaFrom,
} from '@hearth/platform';
import { AlertStream } from './alert-stream.service';

// Admins get the calendar's missing-year alerts in their inbox (no case alert is addressed to them).
const EVERYONE = ['intake', 'officer', 'mediator', 'head', 'supervisor', 'auditor', 'admin'] as const;

class InboxQueryDto {
  @ApiPropertyOptional({ enum: [...ALERT_STATUSES, 'all'], description: 'Default open' })
  @IsOptional()
  @IsIn([...ALERT_STATUSES, 'all'])
  status?: AlertStatus | 'all';
  @ApiPropertyOptional({ enum: ['mine', 'subtree'], description: 'mine (default): alerts addressed to me; subtree: every alert addressed within my subtree (supervisor, head, auditor)' })
  @IsOptional()
  @IsIn(['mine', 'subtree'])
  scope?: 'mine' | 'subtree';
  @ApiPropertyOptional({ description: 'With scope=subtree: a unit within my subtree (default: my unit)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  orgUnit?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

class AcknowledgeDto {
  @ApiProperty({ example: '已督促基层工会三日内受理' }) @IsString() @Length(1, 2000) note!: string;
}

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertQueries,
    private readonly stream: AlertStream,
    private readonly commands: CommandBus,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
  ) {}

  @Get()
  @Roles(...EVERYONE)
  @ApiOperation({ summary: 'My alert inbox (deadline ladder, 交办/督办, reports upward, repeat petitions), oldest first; or my subtree’s' })
  inbox(@Query() q: InboxQueryDto, @CurrentActor() actor: Actor) {
    const page = { status: q.status, offset: q.offset, limit: q.limit };
    // Auditors are addressed no alerts of their own: their inbox is their subtree's.
    if (q.scope !== 'subtree' && actor.role !== 'auditor') return this.alerts.userInbox(actor.id, page);
    if (!['supervisor', 'head', 'auditor'].includes(actor.role))
      throw new ForbiddenException({ code: 'ROLE_NOT_ALLOWED', message: `role ${actor.role} sees only its own alerts` });
    const unit = q.orgUnit ?? actor.orgUnit;
    if (!this.org.directory.has(unit)) throw new NotFoundException({ code: 'UNKNOWN_ORG_UNIT', message: `no org unit ${unit}` });
    if (!this.org.directory.isWithin(unit, actor.orgUnit))
      throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: `org unit ${unit} is outside your subtree` });
    return this.alerts.subtree(unit, page);
  }

  @Sse('stream')
  @Roles(...EVERYONE)
  @QueryTokenAllowed() // EventSource cannot send an Authorization header
  @ApiOperation({ summary: 'Server-Sent Events: my new and changed alerts only (token as Bearer header or ?access_token=)' })
  live(@CurrentActor() actor: Actor): Observable<MessageEvent> {
    return this.stream.streamFor(actor).pipe(map((a) => ({ id: `${a.id}@${a.updatedAt}`, type: 'alert', data: a })));
  }

  @Get(':alertId')
  @Roles(...EVERYONE)
  async get(@Param('alertId') alertId: string, @CurrentActor() actor: Actor) {
    return this.visible(alertId, actor);
  }

  @Get(':alertId/deliveries')
  @Roles('supervisor', 'head', 'auditor')
  @ApiOperation({ summary: 'Webhook delivery status of an alert, per endpoint (pending, retrying, delivered, failed)' })
  async deliveries(@Param('alertId') alertId: string, @CurrentActor() actor: Actor) {
    await this.visible(alertId, actor);
    return { alertId, deliveries: await readDeliveryStatus(this.redis, this.config.redisPrefix, alertId) };
  }

  @Post(':alertId/acknowledgement')
  @HttpCode(200)
  @Roles('supervisor', 'head')
  @ApiOperation({ summary: 'Acknowledge an escalation (催办/督办), recorded as an event on the case with my note' })
  async acknowledge(@Param('alertId') alertId: string, @Body() dto: AcknowledgeDto, @CurrentActor() actor: Actor, @Headers() h: Record<string, string | undefined>) {
    const alert = await this.visible(alertId, actor);
    if (!ESCALATION_KINDS.includes(alert.kind) || !alert.deadlineId)
      throw new UnprocessableEntityException({ code: 'NOT_AN_ESCALATION', message: `a ${alert.kind} alert is not acknowledged; only escalations are` });
    const meta = commandMetaFrom(h, actor, `ack|${alertId}`);
    const out = await this.commands.execute<AcknowledgeEscalationCmd, CommandOutcome>(
      new AcknowledgeEscalationCmd(alert.streamId, alert.deadlineId, alert.level, dto.note, actor, meta),
    );
    return { id: alert.caseId, alertId, ...out };
  }

  private async visible(alertId: string, actor: Actor): Promise<Alert> {
    const alert = await this.alerts.get(alertId);
    if (!alert) throw new NotFoundException({ code: 'ALERT_NOT_FOUND', message: `no alert ${alertId}` });
    if (!this.stream.maySee(actor, alert)) throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: 'this alert is not yours nor within your subtree' });
    return alert;
  }
}
