import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

interface OtlpSpan {
  traceId: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

/** OpenTelemetry: spans exported over OTLP/HTTP to a collector (a server in this test), their trace id in the log line. */
describe('traces over OTLP (e2e)', () => {
  let h: HearthUnderTest;
  let collector: Server;
  const spans: OtlpSpan[] = [];

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        try {
          const parsed = JSON.parse(body) as { resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[] };
          for (const rs of parsed.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
        } catch {
          /* not JSON: ignored */
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    h = await HearthUnderTest.start({
      separateWorker: false,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'hearth-e2e', OTEL_BSP_SCHEDULE_DELAY: '200', HEARTH_LOG_LEVEL: 'info' },
    });
  });
  afterAll(async () => {
    await h?.stop();
    collector?.close();
  });

  it('exports the request with its Redis spans, and logs the trace id on the access line, never the query string', async () => {
    const reg = await h.request('intake.east-s1-g1', 'POST', '/petitions', {
      orgUnit: 'east-s1-g1', channel: 'visit', category: 'claim', subject: '拖欠工资', facts: '…', request: '…', petitioners: [{ name: '戊' }], headcount: 1, identityKnown: true,
    });
    expect(reg.status).toBe(201);
    const token = h.token('officer.east-s1-g1');
    await fetch(`${h.baseUrl}/petitions?status=Registered&access_token=${token}`);
    // A query reads the read models in Redis: its trace holds the server span and the Redis spans under it.
    await h.eventually(async () => ((await h.request('officer.east-s1-g1', 'GET', '/petitions')).body.total >= 1) || undefined, 20_000, 'the read model');

    const accessLine = async (method: string, status: number) =>
      h.eventually(async () => {
        const lines = h.logs.map((c) => c.replace(/^\[(api|worker)\] /, '')).join('').split('\n');
        const l = lines.find((x) => x.includes('"context":"access"') && x.includes('"route":"/petitions"') && x.includes(`"method":"${method}"`) && x.includes(`"status":${status}`));
        return l ? (JSON.parse(l) as { traceId?: string }) : undefined;
      }, 20_000, `the access log line of ${method} /petitions`);
    const post = await accessLine('POST', 201);
    const list = await accessLine('GET', 200);
    expect(post.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(list.traceId).toMatch(/^[0-9a-f]{32}$/);
    const trace = await h.eventually(async () => {
      const mine = spans.filter((s) => s.traceId === list.traceId);
      const redisSpan = mine.some((s) => (s.attributes ?? []).some((a) => (a.key === 'db.system' || a.key === 'db.system.name') && a.value.stringValue === 'redis'));
      return redisSpan && spans.some((s) => s.traceId === post.traceId) ? mine : undefined;
    }, 30_000, 'the exported spans of those requests').catch((err: Error) => {
      throw new Error(`${err.message.split('\n')[0]}; spans: ${spans.map((x) => `${x.name}@${x.traceId.slice(0, 8)}`).join(' ')}`);
    });
    expect(trace.length).toBeGreaterThan(1);
    expect(JSON.stringify(spans)).not.toContain(token.slice(-24));
  });
});
