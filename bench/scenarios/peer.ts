import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { autocannonPost, HttpFloorResult } from '../floors/http-floor';
import { runLoad } from '../load/run-load';
import type { LoadResult } from '../load/client';
import { HearthUnderBench } from '../support/hearth';
import { BENCH_DIST, NodeProcess, HEARTH_NODE_FLAGS } from '../support/processes';
import { freePort } from '../support/redis-server';
import { BENCH_SECRET } from '../support/seed';

export interface PeerOptions {
  dataRoot: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  topology?: 'embedded' | 'split';
  log: (m: string) => void;
}

export interface PeerResult {
  hearth: LoadResult;
  peer: LoadResult;
  /** NestJS + Fastify + class-validator + JWT guard, the register DTO validated, no store: the stack both share. */
  nestFloor: HttpFloorResult;
}

/** Register-and-accept, closed loop, the same client and settings: Hearth (fresh) then the Emmett peer (fresh). */
export async function peerComparison(o: PeerOptions): Promise<PeerResult> {
  const load = (baseUrl: string) =>
    runLoad({ baseUrl, secret: BENCH_SECRET, workload: 'register-accept', concurrency: o.concurrency, warmupMs: o.warmupMs, durationMs: o.durationMs, runId: randomUUID() });

  o.log(`  Hearth, register + accept: ${o.concurrency} clients, ${o.durationMs / 1000} s`);
  const h = await HearthUnderBench.start({ dataRoot: o.dataRoot, topology: o.topology });
  let hearth: LoadResult;
  try {
    hearth = await load(h.baseUrl);
  } finally {
    await h.stop();
  }

  o.log(`  Emmett peer, register + accept: ${o.concurrency} clients, ${o.durationMs / 1000} s`);
  const dir = mkdtempSync(join(o.dataRoot, 'peer-'));
  const port = await freePort();
  const peerProc = new NodeProcess({
    name: 'emmett-peer',
    main: join(BENCH_DIST, 'peer/emmett-main.js'),
    // The same runtime flags as Hearth's processes: the ratio compares the code, not the flags.
    nodeFlags: HEARTH_NODE_FLAGS,
    env: { PORT: String(port), PEER_SQLITE_FILE: join(dir, 'peer.sqlite'), HEARTH_JWT_SECRET: BENCH_SECRET },
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await peerProc.waitHealthy(`${base}/health`);
    const peer = await load(base);
    o.log('  Nest floor (same stack, DTO validation and JWT, no store)');
    const token = new JwtService().sign({ sub: 'intake.east-s1-g1', role: 'intake', org: 'east-s1-g1' }, { secret: BENCH_SECRET });
    await autocannonPost(`${base}/floor`, o.concurrency, 1, { authorization: `Bearer ${token}` });
    const nestFloor = await autocannonPost(`${base}/floor`, o.concurrency, Math.max(3, o.durationMs / 2000), { authorization: `Bearer ${token}` });
    return { hearth, peer, nestFloor };
  } finally {
    await peerProc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
