import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { ExternalWriter, ExternalWriterSpec } from './event-store.contract';

const REPO_ROOT = resolve(__dirname, '../..');
const ADAPTER = join(REPO_ROOT, 'libs/event-store/src/postgres/postgres-event-store.ts');

/**
 * A writer in a separate OS process: plain `node -e`, compiling the adapter's TypeScript on the fly with the
 * installed `typescript` (transpile only), connecting to the same database and appending with exact revisions
 * (`no_stream` first). With `mode: 'any'` every append uses `any`, to race other writers on shared streams.
 */
const CHILD_WRITER = `
const fs = require('fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(out.outputText, filename);
};
const { randomUUID } = require('crypto');
const { PostgresEventStore } = require(process.env.ADAPTER);
(async () => {
  const store = await PostgresEventStore.open({ connectionString: process.env.PG_URL, poolSize: 2 });
  const streams = JSON.parse(process.env.STREAMS);
  const total = Number(process.env.EVENTS);
  const lanes = Number(process.env.LANES || 1);
  const revision = new Map(streams.map((s) => [s, -1]));
  process.stdout.write('READY\\n');
  let written = 0, round = 0;
  while (written < total) {
    const pending = [];
    for (let lane = 0; lane < lanes && written < total; lane++) {
      const s = streams[(round * lanes + lane) % streams.length];
      const n = Math.min(total - written, 1 + ((round + lane) % 4));
      const events = Array.from({ length: n }, (_, i) => ({
        id: randomUUID(), type: 'External', data: { round, i, pid: process.pid },
        metadata: { actorId: 'child', role: 'system', orgUnit: 'ou', occurredAt: new Date().toISOString(),
          commandId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID(), schemaVersion: 1 },
      }));
      const cur = revision.get(s);
      revision.set(s, cur + n);
      written += n;
      pending.push(store.append(s, events, cur === -1 ? 'no_stream' : cur).then((r) => {
        if (!r.written || r.nextRevision !== cur + n) throw new Error('unexpected append result ' + JSON.stringify(r));
      }));
    }
    await Promise.all(pending);
    round++;
  }
  await store.close();
  process.stdout.write('DONE\\n');
})().catch((err) => { console.error(err); process.exit(1); });
`;

export function postgresChildWriter(url: string, spec: ExternalWriterSpec, lanes = 1): ExternalWriter {
  const child = spawn(process.execPath, ['-e', CHILD_WRITER], {
    cwd: REPO_ROOT,
    env: { ...process.env, ADAPTER, PG_URL: url, STREAMS: JSON.stringify(spec.streams), EVENTS: String(spec.events), LANES: String(lanes) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('READY')) markReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<void>((resolveDone, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      markReady();
      if (code === 0 && out.includes('DONE')) resolveDone();
      else reject(new Error(`child writer exited with ${code}: ${err || out}`));
    });
  });
  return { ready, done };
}
