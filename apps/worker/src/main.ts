// First: the OpenTelemetry instrumentations must patch http, ioredis and pg before anything loads them.
import '@hearth/platform/tracing/start-tracing';
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger, LoggerModule } from 'nestjs-pino';
import { ConfigError, configFromEnv, HEARTH_CONFIG, HEARTH_METRICS, HearthConfig, HearthCoreModule, HearthMetrics, serveMetrics, WorkerModule } from '@hearth/platform';

/**
 * The worker: the subscriptions (read models + alerts, deadline scheduler) and the BullMQ timer worker,
 * no HTTP. Run as many as you like; each subscription runs in one of them at a time (Redis lease).
 */
@Module({
  imports: [LoggerModule.forRoot({ pinoHttp: { level: configFromEnv().logLevel } }), HearthCoreModule, WorkerModule],
})
class WorkerAppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerAppModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  const config = app.get<HearthConfig>(HEARTH_CONFIG);
  if (config.workerMetricsPort) {
    const server = await serveMetrics(app.get<HearthMetrics>(HEARTH_METRICS), config.workerMetricsPort, config.host, config.metricsToken);
    process.once('SIGTERM', () => server.close());
    app.get(Logger).log(`worker metrics on http://${config.host}:${config.workerMetricsPort}/metrics`);
  }
  app.get(Logger).log('Hearth worker running');
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
