import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { HearthMetrics } from './hearth-metrics';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * GET /metrics of a process without HTTP (the separate worker: timer lateness, webhook deliveries and alerts raised
 * live there), on HEARTH_WORKER_METRICS_PORT, behind the same operators token as the api's /metrics.
 */
export function serveMetrics(metrics: HearthMetrics, port: number, host: string, token: string | undefined): Promise<Server> {
  const server = createServer((req, res) => {
    const answer = (status: number, body: string, type = 'application/json; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET' || (req.url ?? '').split('?', 1)[0] !== '/metrics') return answer(404, JSON.stringify({ statusCode: 404, code: 'NOT_FOUND', message: '只有 /metrics' }));
    if (!token) return answer(403, JSON.stringify({ statusCode: 403, code: 'METRICS_DISABLED', message: '未配置 HEARTH_METRICS_TOKEN，指标接口未开放' }));
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!given || !timingSafeEqual(digest(given), digest(token))) return answer(401, JSON.stringify({ statusCode: 401, code: given ? 'TOKEN_INVALID' : 'TOKEN_MISSING', message: '指标接口的访问令牌无效或缺失' }));
    metrics.render().then(
      (text) => answer(200, text, metrics.contentType),
      () => answer(503, JSON.stringify({ statusCode: 503, code: 'METRICS_UNAVAILABLE', message: '指标暂不可用' })),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
