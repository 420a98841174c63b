import { Body, Controller, ForbiddenException, Get, Headers, HttpCode, MessageEvent, NotFoundException, Param, Post, Query, Sse } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { Observable, map } from 'rxjs';
import type { Actor } from '@hearth/domain';
import { ALERT_STATUSES, AlertQueries, AlertStatus } from '@hearth/read-models';
import { AcknowledgeEscalationCmd, CommandOutcome, CurrentActor, Roles, commandMetaFrom } from '@hearth/platform';
import { AlertStream } from './alert-stream.service';

class InboxQueryDto {
  @ApiPropertyOptional({ enum: [...ALERT_STATUSES, 'all'] }) @IsOptional() @IsIn([...ALERT_STATUSES, 'all']) status?: AlertStatus | 'all';
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
  ) {}

  @Get()
  @Roles('supervisor', 'head', 'auditor')
  @ApiOperation({ summary: 'Escalation alerts addressed to my org unit, oldest first' })
  inbox(@Query() q: InboxQueryDto, @CurrentActor() actor: Actor) {
    return this.alerts.inbox(actor.orgUnit, 'supervisor', q);
  }

  @Sse('stream')
  @Roles('supervisor', 'head', 'auditor')
  @ApiOperation({ summary: 'Server-Sent Events: new and changed alerts I may see (token as Bearer header or ?access_token=)' })
  live(@CurrentActor() actor: Actor): Observable<MessageEvent> {
    return this.stream.streamFor(actor).pipe(map((a) => ({ id: `${a.id}@${a.updatedAt}`, type: 'alert', data: a })));
  }

  @Get(':alertId')
  @Roles('supervisor', 'head', 'auditor')
  async get(@Param('alertId') alertId: string, @CurrentActor() actor: Actor) {
    const alert = await this.alerts.get(alertId);
    if (!alert) throw new NotFoundException({ code: 'ALERT_NOT_FOUND', message: `no alert ${alertId}` });
    if (!this.stream.maySee(actor, alert)) throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: 'this alert is outside your org subtree' });
    return alert;
  }

  @Post(':alertId/acknowledgement')
  @HttpCode(200)
  @Roles('supervisor', 'head')
  @ApiOperation({ summary: 'Acknowledge an escalation (recorded as an event on the case, with my note)' })
  async acknowledge(@Param('alertId') alertId: string, @Body() dto: AcknowledgeDto, @CurrentActor() actor: Actor, @Headers() h: Record<string, string | undefined>) {
    const alert = await this.alerts.get(alertId);
    if (!alert) throw new NotFoundException({ code: 'ALERT_NOT_FOUND', message: `no alert ${alertId}` });
    if (!this.stream.maySee(actor, alert)) throw new ForbiddenException({ code: 'OUTSIDE_ORG_SUBTREE', message: 'this alert is outside your org subtree' });
    const meta = commandMetaFrom(h, actor, `ack|${alertId}`);
    const out = await this.commands.execute<AcknowledgeEscalationCmd, CommandOutcome>(
      new AcknowledgeEscalationCmd(alert.streamId, alert.deadlineId, alert.level, dto.note, actor, meta),
    );
    return { id: alert.caseId, alertId, ...out };
  }
}
