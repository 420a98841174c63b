// First: the OpenTelemetry instrumentations must patch http, ioredis and pg before anything loads them.
import '@hearth/platform/tracing/start-tracing';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { HEARTH_CONFIG, HearthConfig, HearthErrorFilter, hearthClientErrors, hearthFrameworkErrors, hearthValidationPipe, ConfigError, HEARTH_METRICS, HearthMetrics, trustProxyFromEnv } from '@hearth/platform';
import { ApiModule } from './api.module';
import { installAccessLog } from './observability/access-log';

export async function createApi(): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.register(), new FastifyAdapter({ bodyLimit: 1_048_576, trustProxy: trustProxyFromEnv(), frameworkErrors: hearthFrameworkErrors, clientErrorHandler: hearthClientErrors }), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  // Access logs at info, and the HTTP latency metric from the same line (route pattern, never the URL).
  const metrics = app.get<HearthMetrics>(HEARTH_METRICS);
  installAccessLog(app.getHttpAdapter().getInstance(), (l) => metrics.httpDuration.observe({ method: l.method, route: l.route, status: String(l.status) }, l.durationMs / 1000));
  app.useGlobalPipes(hearthValidationPipe());
  app.useGlobalFilters(new HearthErrorFilter());
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('Hearth API')
    .setDescription(
      'Event-sourced case and workflow engine for trade-union federations: petitions (信访), labour-dispute mediation, hardship assistance. ' +
        'Errors: 400 VALIDATION_FAILED with field messages, 401/403 with a code, 404, 409 CONCURRENCY_CONFLICT with currentRevision, 422 with a rule code.',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

async function main(): Promise<void> {
  const app = await createApi();
  const config = app.get<HearthConfig>(HEARTH_CONFIG);
  await app.listen(config.port, config.host);
  app.get(Logger).log(`Hearth api listening on http://${config.host}:${config.port} (docs: /docs)`);
}

if (require.main === module) {
  main().catch((err) => {
    // A bad variable: its name and what was expected, without a stack trace.
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
