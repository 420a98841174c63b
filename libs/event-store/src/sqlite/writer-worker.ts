import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Running from TypeScript sources (tests), the thread transpiles its entry and relative imports with `typescript`. */
const TS_BOOTSTRAP = `
const fs = require('fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(out.outputText, filename);
};
require(require('worker_threads').workerData.entry);
`;

/**
 * Starts a SQLite writer thread from `<base>.js` (compiled, dist/) or else `<base>.ts` (sources). The entry must only
 * import packages and relative files (no path aliases): from sources it is transpiled file by file.
 */
export function startWriterWorker(base: string, workerData: Record<string, unknown>): Worker {
  const js = `${base}.js`;
  return existsSync(js) ? new Worker(js, { workerData }) : new Worker(TS_BOOTSTRAP, { eval: true, workerData: { ...workerData, entry: `${base}.ts` } });
}

/**
 * Request/reply over a writer thread: each request resolves with the thread's reply for it. The thread keeps the
 * process alive only while a request is in flight; if it dies, every pending and later request fails.
 */
export class WriterChannel<Req, Res> {
  private nextId = 1;
  private readonly inFlight = new Map<number, { resolve: (r: Res) => void; reject: (e: unknown) => void }>();
  private dead?: Error;

  constructor(
    private readonly worker: Worker,
    name: string,
  ) {
    worker.unref();
    worker.on('message', (m: { id: number; reply: Res }) => {
      const p = this.inFlight.get(m.id);
      if (!p) return;
      this.inFlight.delete(m.id);
      if (this.inFlight.size === 0) worker.unref();
      p.resolve(m.reply);
    });
    const fail = (err: Error) => {
      this.dead ??= err;
      for (const p of this.inFlight.values()) p.reject(err);
      this.inFlight.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the ${name} writer thread exited (${code})`)));
  }

  request(req: Req): Promise<Res> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<Res>((resolve, reject) => {
      this.inFlight.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, req });
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise((r) => this.worker.once('exit', r));
    this.worker.ref();
    this.worker.postMessage('close');
    await exited;
  }
}
