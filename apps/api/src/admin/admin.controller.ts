import { Controller, ForbiddenException, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type Redis from 'ioredis';
import type { Actor } from '@hearth/domain';
import { EVENT_STORE, EventStore } from '@hearth/event-store';
import { readModelStatus, requestGenerationRebuild, requestRebuild } from '@hearth/read-models';
import { CurrentActor, HEARTH_CONFIG, HearthConfig, ORG_REGISTRY, OrgRegistry, progressOf, REDIS, Roles } from '@hearth/platform';

export const REBUILD_MODES = ['switch', 'drop'] as const;

export class RebuildQuery {
  @ApiPropertyOptional({
    enum: REBUILD_MODES,
    default: 'switch',
    description:
      '`switch` (default): build a new generation from position 0 next to the active one and switch when it has caught up; ' +
      'queries keep answering from the active generation. `drop` (emergency): delete the active read models; they are rebuilt ' +
      'in place and queries see partial results until then.',
  })
  @IsOptional()
  @IsIn(REBUILD_MODES)
  mode?: (typeof REBUILD_MODES)[number];
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin')
export class AdminController {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  private assertCity(actor: Actor): void {
    if (this.org.directory.get(actor.orgUnit)?.level !== 1)
      throw new ForbiddenException({ code: 'ROLE_NOT_ALLOWED', message: 'only the city federation may administer read models' });
  }

  @Post('read-models/rebuild')
  @HttpCode(202)
  @Roles('head', 'supervisor')
  @ApiOperation({
    summary: 'Rebuild every read model from position 0 without downtime (or ?mode=drop: drop and rebuild in place); city-level heads and supervisors',
  })
  async rebuild(@CurrentActor() actor: Actor, @Query() q: RebuildQuery) {
    this.assertCity(actor);
    if (q.mode === 'drop') {
      const dropped = await requestRebuild(this.redis, this.config.redisPrefix);
      return { mode: 'drop', dropped, status: 'rebuilding' };
    }
    const r = await requestGenerationRebuild(this.redis, this.config.redisPrefix, actor.id);
    return {
      mode: 'switch',
      generation: r.target,
      activeGeneration: r.active,
      requestedAt: r.request.requestedAt,
      status: r.created ? 'started' : 'already_running',
    };
  }

  @Get('read-models')
  @Roles('head', 'supervisor')
  @ApiOperation({ summary: 'Active read-model generation, how far it and a rebuild in progress have caught up with the log' })
  async status(@CurrentActor() actor: Actor) {
    this.assertCity(actor);
    const [status, headPosition] = await Promise.all([readModelStatus(this.redis, this.config.redisPrefix), this.store.headPosition()]);
    // A rebuild replays the log from position 0: events done, rate since the request, time left at that rate.
    const progress = status.rebuild ? progressOf(Math.max(0, status.rebuild.position ?? 0), Math.max(0, headPosition), Date.parse(status.rebuild.requestedAt), Date.now()) : undefined;
    return { ...status, headPosition, ...(progress ? { progress } : {}) };
  }
}
