import { Controller, ForbiddenException, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type Redis from 'ioredis';
import type { Actor } from '@hearth/domain';
import { requestRebuild } from '@hearth/read-models';
import { CurrentActor, HEARTH_CONFIG, HearthConfig, ORG_REGISTRY, OrgRegistry, REDIS, Roles } from '@hearth/platform';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin')
export class AdminController {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
  ) {}

  @Post('read-models/rebuild')
  @HttpCode(202)
  @Roles('head', 'supervisor')
  @ApiOperation({ summary: 'Drop every read model; the worker rebuilds them from position 0 (city-level heads and supervisors)' })
  async rebuild(@CurrentActor() actor: Actor) {
    if (this.org.directory.get(actor.orgUnit)?.level !== 1)
      throw new ForbiddenException({ code: 'ROLE_NOT_ALLOWED', message: 'only the city federation may rebuild read models' });
    const dropped = await requestRebuild(this.redis, this.config.redisPrefix);
    return { dropped, status: 'rebuilding' };
  }
}
