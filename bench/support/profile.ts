import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time per function, highest first. */
  functions: Array<{ name: string; where: string; selfMs: number; pct: number }>;
  /** Self time per area: a package of node_modules, a Hearth lib/app, node internals, GC, idle. */
  areas: Array<{ area: string; selfMs: number; pct: number }>;
  /** Total time (self + callees) of Hearth's own functions, highest first: where a request's time goes. */
  inclusive: Array<{ name: string; where: string; totalMs: number; pct: number }>;
}

/** `file:///…/dist/libs/x.js` (or the bench's snapshot of dist) → `dist/libs/x.js`; `…/node_modules/p/y.js` → `node_modules/p/y.js`. */
const shortUrl = (url: string): string => url.replace(/^.*?\/(node_modules|dist|\.dist-\d+)\//, (_m, d: string) => `${d === 'node_modules' ? d : 'dist'}/`);

/** Where a frame belongs, for the per-area breakdown. */
function areaOf(url: string, name: string): string {
  if (name === '(idle)') return '(idle)';
  if (name === '(garbage collector)') return '(gc)';
  if (name === '(program)') return '(program: native, outside JS)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const hearth = /(?:dist|\.dist-\d+)\/((?:libs|apps|bench)\/[^/]+)/.exec(url);
  if (hearth) return hearth[1];
  if (url.startsWith('node:') || url === '') return 'node internals';
  return url;
}

/** Self time per function and per area of the newest .cpuprofile in `dir`. */
export function summarizeProfile(dir: string, top = 25): ProfileSummary | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!files.length) return undefined;
  const p = JSON.parse(readFileSync(files[0], 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (deltas[i] ?? 0) / 1000);
  const total = (p.endTime - p.startTime) / 1000;
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return { name: functionName || '(anonymous)', where: `${shortUrl(url)}:${lineNumber + 1}`, url };
  };
  const incl = new Map<string, { name: string; where: string; totalMs: number }>();
  for (const [id, ms] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur)!);
      if (!/(dist|\.dist-\d+)\/(libs|apps)\//.test(k.url)) continue;
      const key = `${k.name}@${k.where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const e = incl.get(key) ?? { name: k.name, where: k.where, totalMs: 0 };
      e.totalMs += ms;
      incl.set(key, e);
    }
  }
  const fns = new Map<string, { name: string; where: string; selfMs: number }>();
  const areas = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    const where = `${shortUrl(url)}:${lineNumber + 1}`;
    const key = `${name}@${where}`;
    const f = fns.get(key) ?? { name, where, selfMs: 0 };
    f.selfMs += ms;
    fns.set(key, f);
    const a = areaOf(url, name);
    areas.set(a, (areas.get(a) ?? 0) + ms);
  }
  const pct = (ms: number) => Math.round((ms / total) * 1000) / 10;
  return {
    file: files[0],
    totalMs: total,
    functions: [...fns.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((f) => ({ ...f, selfMs: Math.round(f.selfMs), pct: pct(f.selfMs) })),
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, ms]) => ({ area, selfMs: Math.round(ms), pct: pct(ms) })),
    inclusive: [...incl.values()]
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, top)
      .map((f) => ({ ...f, totalMs: Math.round(f.totalMs), pct: pct(f.totalMs) })),
  };
}

export function formatProfile(s: ProfileSummary): string {
  const lines = [`CPU profile ${s.file} (${Math.round(s.totalMs)} ms)`, '  self time by area:'];
  for (const a of s.areas) lines.push(`    ${a.pct.toFixed(1).padStart(5)}%  ${a.area}`);
  lines.push('  top functions (self time):');
  for (const f of s.functions) lines.push(`    ${f.pct.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
  lines.push('  Hearth functions (total time, callees included):');
  for (const f of s.inclusive) lines.push(`    ${f.pct.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
  return lines.join('\n');
}
