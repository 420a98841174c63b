import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { CalendarStatus, CLOCK, Clock, HEARTH_CONFIG, HearthConfig, Public } from '@hearth/platform';
import { Readiness } from './readiness.service';

/**
 * Liveness (the process answers) and readiness (it can do its work: the log accepts writes, Redis answers, the
 * subscriptions keep up). Public, and nothing personal in either body.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: Readiness,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendar: CalendarStatus,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process answers (restart it when this fails)' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: 200 when the event store accepts writes, Redis answers and subscriptions are within the lag bound; 503 naming the failing part' })
  @ApiResponse({ status: 503, description: '{ code: NOT_READY, failing: { <part>: { status: down, message } }, checks, … }' })
  async ready() {
    const result = await this.check();
    if (result.status !== 'ok') throw new ServiceUnavailableException({ code: 'NOT_READY', message: `服务未就绪：${Object.keys(result.error ?? {}).join(', ')}`, ...this.body(result) });
    return this.body(result);
  }

  /** The historical probe: the readiness body, always 200 (`status: degraded` when not ready); load balancers use /health/ready. */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Readiness body with 200 in every case (older probes); use /health/ready for a load balancer' })
  async summary() {
    return this.body(await this.check());
  }

  private async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.readiness.eventStore(), () => this.readiness.redisUp(), () => this.readiness.subscriptions()]);
    } catch (err) {
      // Terminus answers a failed check by throwing a 503 carrying the result.
      if (err instanceof ServiceUnavailableException) return err.getResponse() as HealthCheckResult;
      throw err;
    }
  }

  private body(result: HealthCheckResult) {
    const details = result.details as Record<string, Record<string, unknown>>;
    const subs = details.subscriptions ?? {};
    return {
      status: result.status === 'ok' ? 'ok' : 'degraded',
      eventStore: { kind: this.config.eventStore, headPosition: (details.eventStore?.headPosition as number | undefined) ?? null },
      redis: details.redis?.status === 'up' ? 'up' : 'down',
      checkpoints: (subs.checkpoints as { readModels: number | null; deadlines: number | null } | undefined) ?? { readModels: null, deadlines: null },
      checks: result.details,
      failing: result.error ?? {},
      domainTime: this.clock.now().toISOString(),
      clockSpeed: this.clock.speed,
      // Which year's holiday arrangement is missing (deadlines there are provisional): issue 13.
      calendar: this.calendar.snapshot(),
    };
  }
}
