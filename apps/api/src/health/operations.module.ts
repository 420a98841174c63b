import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { Readiness } from './readiness.service';
import { MetricsController } from '../observability/metrics.controller';

/** GET /health/live, /health/ready (and the older /health) through Nest's health module; GET /metrics for operators. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [Readiness],
})
export class OperationsModule {}
