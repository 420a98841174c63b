import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, ForbiddenException, Get, Headers, Inject, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HEARTH_CONFIG, HEARTH_METRICS, HearthConfig, HearthMetrics, Public } from '@hearth/platform';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Prometheus metrics for operators: not a user's JWT but the deployment's own bearer token (HEARTH_METRICS_TOKEN),
 * compared in constant time. Without that token configured the endpoint is off.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(HEARTH_METRICS) private readonly metrics: HearthMetrics,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  @Get()
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Prometheus metrics (text format); Authorization: Bearer <HEARTH_METRICS_TOKEN>' })
  @ApiResponse({ status: 403, description: 'METRICS_DISABLED: HEARTH_METRICS_TOKEN is not set' })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const expected = this.config.metricsToken;
    if (!expected) throw new ForbiddenException({ code: 'METRICS_DISABLED', message: '未配置 HEARTH_METRICS_TOKEN，指标接口未开放' });
    const given = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!given) throw new UnauthorizedException({ code: 'TOKEN_MISSING', message: '缺少指标接口的访问令牌' });
    if (!timingSafeEqual(digest(given), digest(expected))) throw new UnauthorizedException({ code: 'TOKEN_INVALID', message: '指标接口的访问令牌无效' });
    void reply.header('content-type', this.metrics.contentType);
    return this.metrics.render();
  }
}
