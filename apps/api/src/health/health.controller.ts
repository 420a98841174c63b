import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type Redis from 'ioredis';
import { EVENT_STORE, EventStore } from '@hearth/event-store';
import { activeCheckpoint } from '@hearth/read-models';
import { CLOCK, Clock, HEARTH_CONFIG, HearthConfig, Public, REDIS } from '@hearth/platform';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and how far the read models and the deadline scheduler have caught up with the log' })
  async health() {
    const head = await this.store.headPosition();
    let redis: 'up' | 'down' = 'up';
    let readModels: number | null = null;
    let deadlines: number | null = null;
    try {
      // The read models' checkpoint lives in the active generation (zero-downtime rebuilds switch generations).
      const [rm, dl] = await Promise.all([activeCheckpoint(this.redis, this.config.redisPrefix), this.redis.get(`${this.config.redisPrefix}ckpt:deadlines`)]);
      readModels = rm;
      deadlines = dl === null ? null : Number(dl);
    } catch {
      redis = 'down';
    }
    return {
      status: redis === 'up' ? 'ok' : 'degraded',
      eventStore: { kind: this.config.eventStore, headPosition: head },
      redis,
      checkpoints: { readModels, deadlines },
      domainTime: this.clock.now().toISOString(),
      clockSpeed: this.clock.speed,
    };
  }
}
