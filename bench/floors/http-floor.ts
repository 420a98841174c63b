import autocannon from 'autocannon';
import { join } from 'node:path';
import { freePort } from '../support/redis-server';
import { BENCH_DIST, NodeProcess } from '../support/processes';
import { registerBody } from '../load/workloads';

export interface HttpFloorResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** autocannon (this process) against a server in its own process: POST with the register body, `connections` at once. */
export async function autocannonPost(url: string, connections: number, seconds: number, headers: Record<string, string> = {}): Promise<HttpFloorResult> {
  const body = JSON.stringify(registerBody({ unit: 'east-s1-g1', id: '', seq: 1, loop: 1 }));
  const r = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    reqPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** The HTTP floor: bare Fastify answering JSON to a JSON POST. */
export async function httpFloor(connections: number, seconds: number): Promise<HttpFloorResult> {
  const port = await freePort();
  const server = new NodeProcess({ name: 'http-floor', main: join(BENCH_DIST, 'floors/http-floor-server.js'), env: { PORT: String(port) } });
  try {
    await server.waitHealthy(`http://127.0.0.1:${port}/health`);
    await autocannonPost(`http://127.0.0.1:${port}/petitions`, connections, 1); // warm-up (JIT)
    return await autocannonPost(`http://127.0.0.1:${port}/petitions`, connections, seconds);
  } finally {
    await server.stop();
  }
}
