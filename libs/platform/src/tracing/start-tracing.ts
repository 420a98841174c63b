/**
 * OpenTelemetry traces, when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT, the SDK's own variable;
 * OTEL_SERVICE_NAME names the process): HTTP (incoming requests and webhook calls), Redis (ioredis) and PostgreSQL
 * spans, exported over OTLP/HTTP, and the active trace and span ids in every pino line written inside one.
 * Imported first by each entry point (before Fastify, ioredis or pg load), so the instrumentations can patch them.
 * Without the endpoint nothing is loaded.
 */
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino') as typeof import('@opentelemetry/instrumentation-pino');
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME || 'hearth',
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      // No span for the probes and the scrapes: they would drown the traces that matter.
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? ''),
        // A query string may hold a token (?access_token= on the SSE route): spans keep the path only.
        applyCustomAttributesOnSpan: (span, req) => {
          const url = 'url' in req && typeof req.url === 'string' ? req.url : undefined;
          if (url === undefined) return;
          const path = url.split('?', 1)[0];
          span.setAttributes({ 'http.target': path, 'url.path': path, 'url.query': '', 'http.url': path, 'url.full': path });
        },
      }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new PgInstrumentation({ requireParentSpan: true }),
      // Ids into the log lines only: the lines stay on stdout, they are not shipped as OTLP logs.
      new PinoInstrumentation({ disableLogSending: true, logKeys: { traceId: 'traceId', spanId: 'spanId', traceFlags: 'traceFlags' } }),
    ],
  });
  sdk.start();
  process.once('SIGTERM', () => void sdk.shutdown().catch(() => undefined));
}
