import { Global, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { AlertQueries, HardshipQueries, MediationQueries, PetitionQueries } from '@hearth/read-models';
import { HEARTH_CONFIG, HearthConfig } from '../config/hearth-config';
import { REDIS } from '../hearth-core.module';

/** Read side of the api: queries over the Redis read models. */
@Global()
@Module({
  providers: [
    { provide: PetitionQueries, inject: [REDIS, HEARTH_CONFIG], useFactory: (r: Redis, c: HearthConfig) => new PetitionQueries(r, c.redisPrefix) },
    { provide: AlertQueries, inject: [REDIS, HEARTH_CONFIG], useFactory: (r: Redis, c: HearthConfig) => new AlertQueries(r, c.redisPrefix) },
    { provide: HardshipQueries, inject: [REDIS, HEARTH_CONFIG], useFactory: (r: Redis, c: HearthConfig) => new HardshipQueries(r, c.redisPrefix) },
    { provide: MediationQueries, inject: [REDIS, HEARTH_CONFIG], useFactory: (r: Redis, c: HearthConfig) => new MediationQueries(r, c.redisPrefix) },
  ],
  exports: [PetitionQueries, AlertQueries, HardshipQueries, MediationQueries],
})
export class ReadModelQueriesModule {}
