import { fork } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIST } from '../support/processes';
import type { LoadConfig, LoadResult } from './client';

/** Runs the load generator in its own process and returns what it measured. */
export function runLoad(config: LoadConfig): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(BENCH_DIST, 'load/client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      if (!settled) reject(new Error('load generator timed out'));
      settled = true;
    }, config.warmupMs + config.durationMs + 60_000);
    child.on('message', (m: { type: string; result?: LoadResult; error?: string }) => {
      clearTimeout(timeout);
      if (settled) return;
      settled = true;
      if (m.type === 'result') resolve(m.result!);
      else reject(new Error(`load generator failed: ${m.error}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timeout);
      if (!settled) reject(new Error(`load generator exited with ${code}`));
      settled = true;
    });
    child.send({ type: 'run', config });
  });
}
