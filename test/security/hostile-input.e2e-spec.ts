/* eslint-disable @typescript-eslint/no-explicit-any */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HearthUnderTest } from '@hearth/testing/hearth-process';
import { AUTHORIZATION_TABLE, CALLERS, RESOURCE_UNIT, Role, expectedFor } from '../access/authorization-table';
import { relationOf } from '../access/org-relations';
import { CaseFixtures, CLOCK_START, bodyFor, createFixtures, freshCaseFor, pathFor } from './case-fixtures';
import { mutationsOf, queryMutations } from './hostile-mutations';
import { runPool } from './request-pool';
import { OpenApiDoc, Operation, loadOpenApi, operationKey, operationsOf, resolve } from './openapi-operations';

/** Each request must answer within this bound: a guard against hangs, not a speed assertion. */
const ANSWER_BOUND_MS = 5_000;
/** Sign-in verifies an argon2id hash (64 MiB, t=3) by design, even for an unknown user: a wider bound, still against hangs. */
const PASSWORD_ROUTE_BOUND_MS = 20_000;
const boundFor = (op: Operation) => (AUTHORIZATION_TABLE[operationKey(op)]?.ownCredentials ? PASSWORD_ROUTE_BOUND_MS : ANSWER_BOUND_MS);
/** Operations sent side by side (the machine is shared: a small pool). */
const CONCURRENCY = 3;


/** POST routes without a body whose every call does real work: rebuilding every read model is not an input test. */
const NOT_AN_INPUT = new Set(['POST /admin/read-models/rebuild']);

/**
 * Issue 11: every POST operation of the live OpenAPI document, sent hostile variants of a valid body (see
 * hostile-mutations) by a caller the authorization table allows. For each request: never a 5xx, an answer within
 * the bound, a 4xx in the documented shape `{ statusCode, code, message }`, 400 for what is malformed, and nothing in
 * the log from a refused request (counted by its correlation id, and in total). Then hostile query strings on every GET,
 * and a reused Idempotency-Key with another body. The worker is stopped so nothing but these requests appends.
 */
describe('hostile input over every POST operation', () => {
  let h: HearthUnderTest;
  let doc: OpenApiDoc;
  let posts: Operation[];
  let fixtures: CaseFixtures;
  let log: Database.Database;
  let count: () => number;
  let appendedBy: (correlationId: string) => number;

  beforeAll(async () => {
    h = await HearthUnderTest.start({ separateWorker: true, clockStart: CLOCK_START });
    doc = await loadOpenApi(h.baseUrl);
    posts = operationsOf(doc).filter((op) => op.method === 'POST' && !NOT_AN_INPUT.has(operationKey(op)) && callerFor(op));
    fixtures = await createFixtures(h);
    await h.killWorker();
    log = new Database(join(h.dataDir, 'hearth.sqlite'), { readonly: true, fileMustExist: true });
    const all = log.prepare('SELECT COUNT(*) AS n FROM events');
    const byCorrelation = log.prepare("SELECT COUNT(*) AS n FROM events WHERE position > ? AND json_extract(metadata, '$.correlationId') = ?");
    const head = log.prepare('SELECT COALESCE(MAX(position), 0) AS p FROM events');
    count = () => (all.get() as { n: number }).n;
    // Only events after the fixtures can belong to a hostile request.
    const since = (head.get() as { p: number }).p;
    appendedBy = (correlationId) => (byCorrelation.get(since, correlationId) as { n: number }).n;
  });
  afterAll(async () => {
    log?.close();
    await h?.stop();
  });

  /**
   * A caller the table allows for the operation (so the body, not the role, is what is tested); undefined when the
   * demo directory has none (admin routes: no admin user), and the operation is then left to the authorization matrix.
   */
  const callerFor = (op: Operation): string | undefined => {
    const rule = AUTHORIZATION_TABLE[operationKey(op)];
    const unit = rule ? RESOURCE_UNIT[rule.resource] : undefined;
    const user = CALLERS.find((u) => {
      const [role, ...rest] = u.split('.');
      return rule && expectedFor(rule, role as Role, unit ? relationOf(rest.join('.'), unit) : undefined) === 'allowed';
    });
    return user;
  };

  async function send(op: Operation, f: CaseFixtures, user: string, text: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${h.baseUrl}${pathFor(op, f)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token(user)}`, 'content-type': 'application/json', ...headers },
      body: text,
      signal: AbortSignal.timeout(boundFor(op)),
    }).catch((err: Error) => ({ status: err.name === 'TimeoutError' ? -1 : -2, text: async () => err.message }) as const);
    const raw = await res.text();
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    return { status: res.status, body };
  }

  /** What is wrong with one answer (empty when nothing is). */
  function problems(status: number, body: any, appended: number): string[] {
    const out: string[] = [];
    if (status === -1) out.push('no answer within the bound');
    else if (status < 0) out.push(`connection failed: ${body}`);
    else if (status >= 500) out.push(`${status} ${JSON.stringify(body).slice(0, 200)}`);
    else if (status >= 400) {
      if (appended !== 0) out.push(`refused with ${status} but ${appended} event(s) appended`);
      if (body?.statusCode !== status || typeof body?.code !== 'string' || typeof body?.message !== 'string')
        out.push(`${status} not in the documented shape: ${JSON.stringify(body).slice(0, 200)}`);
    }
    return out;
  }

  it('never a 5xx, never a hang, the documented error shape, nothing appended by a refused request, and 400 for what is malformed', async () => {
    // Each operation gets its case first; then the operations run side by side, each one's variants in turn. Every
    // request carries its own correlation id, so the events it appended are counted from the log whatever runs beside it.
    const cases = new Map<Operation, CaseFixtures>();
    await runPool(posts, CONCURRENCY, async (op) => void cases.set(op, await freshCaseFor(h, op, fixtures)));
    const failures: string[] = [];
    let sent = 0;
    let correlated = 0;
    const start = count();
    const startPosition = (log.prepare('SELECT COALESCE(MAX(position), 0) AS p FROM events').get() as { p: number }).p;
    await runPool(posts, CONCURRENCY, async (op) => {
      const user = callerFor(op)!;
      for (const m of mutationsOf(doc, op.body, bodyFor(doc, op))) {
        const correlationId = `hostile-${++sent}`;
        const r = await send(op, cases.get(op)!, user, m.text, { 'x-correlation-id': correlationId });
        const appended = appendedBy(correlationId);
        correlated += appended;
        const found = problems(r.status, r.body, appended);
        // 429: a rate limit may answer before the body is read (sign-in).
        if (m.malformed && r.status !== 400 && r.status !== 429 && r.status >= 0 && r.status < 500) found.push(`malformed, yet answered ${r.status}`);
        for (const p of found) failures.push(`${operationKey(op)} [${m.name}] as ${user}: ${p}`);
      }
    });
    expect(failures).toEqual([]);
    // Nothing appended that no request of this test accounts for.
    const stray = log
      .prepare("SELECT type, stream_id AS stream, json_extract(metadata, '$.correlationId') AS correlation FROM events WHERE position > ? ORDER BY position")
      .all(startPosition)
      .filter((e: any) => !String(e.correlation).startsWith('hostile-'));
    // A refused sign-in is recorded on purpose (SignInFailed: the lockout counts it), under its own correlation id.
    const signInFailures = stray.filter((e: any) => e.type === 'SignInFailed' && String(e.stream).startsWith('signin-'));
    expect(stray.filter((e) => !signInFailures.includes(e))).toEqual([]);
    expect(count() - start).toBe(correlated + signInFailures.length);
    expect(sent).toBeGreaterThan(1000);
    expect((await fetch(`${h.baseUrl}/health`)).status).toBe(200);
  }, 150_000);

  it('hostile query strings on every GET operation: never a 5xx, never a hang, a 4xx in the documented shape', async () => {
    const failures: string[] = [];
    const gets = operationsOf(doc).filter((op) => op.method === 'GET' && op.query.length > 0);
    for (const op of gets) {
      const user = callerFor(op) ?? 'auditor.city';
      const path = pathFor(op, fixtures, false);
      for (const param of op.query) {
        for (const m of queryMutations(param.name)) {
          const res = await fetch(`${h.baseUrl}${path}?${m.query}`, {
            headers: { authorization: `Bearer ${h.token(user)}` },
            signal: AbortSignal.timeout(ANSWER_BOUND_MS),
          }).catch((err: Error) => ({ status: err.name === 'TimeoutError' ? -1 : -2, text: async () => err.message, headers: new Headers() }) as const);
          const sse = res.headers.get('content-type')?.includes('text/event-stream');
          const raw = sse ? '' : await res.text();
          let body: any = raw;
          try {
            body = JSON.parse(raw);
          } catch {
            /* csv, html, text */
          }
          for (const p of problems(res.status, body, 0)) failures.push(`${operationKey(op)} [${m.name}] as ${user}: ${p}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect((await fetch(`${h.baseUrl}/health`)).status).toBe(200);
  });

  it('a reused Idempotency-Key (every operation that documents one): the same body replays and appends nothing; another body is 422 IDEMPOTENCY_KEY_REUSED and appends nothing', async () => {
    const failures: string[] = [];
    for (const op of posts.filter((o) => o.headers.includes('Idempotency-Key'))) {
      const f = await freshCaseFor(h, op, fixtures);
      const user = callerFor(op)!;
      const base = bodyFor(doc, op) as Record<string, unknown>;
      const key = `hostile-${operationKey(op)}`.replace(/[^A-Za-z0-9-]/g, '-');
      const first = await send(op, f, user, JSON.stringify(base), { 'Idempotency-Key': key });
      failures.push(...problems(first.status, first.body, 0).filter((p) => !p.startsWith('refused')).map((p) => `${operationKey(op)} first: ${p}`));
      if (first.status >= 300) continue;
      let before = count();
      const again = await send(op, f, user, JSON.stringify(base), { 'Idempotency-Key': key });
      if (count() !== before || again.status >= 300) failures.push(`${operationKey(op)} replay: ${again.status}, ${count() - before} event(s) appended`);
      before = count();
      const changed = differentBody(doc, op.body, base);
      if (!changed) continue;
      const other = await send(op, f, user, JSON.stringify(changed), { 'Idempotency-Key': key });
      for (const p of problems(other.status, other.body, count() - before)) failures.push(`${operationKey(op)} other body: ${p}`);
      if ((other.status !== 422 || other.body?.code !== 'IDEMPOTENCY_KEY_REUSED'))
        failures.push(`${operationKey(op)} other body under a used key: ${other.status} ${other.body?.code} (${count() - before} event(s) appended), expected 422 IDEMPOTENCY_KEY_REUSED`);
    }
    expect(failures).toEqual([]);
  });
});

/** Field names whose values are identifiers, units, dates or codes: changing them makes a body invalid, not merely different. */
const NOT_FREE_TEXT = /Id$|orgUnit|OrgUnit|Date$|At$|^at$|idNumber|signedBy|name$|Name$|phone|email|creditCode|code$/;

/** The body with one free-text field changed (or an optional one added), so it is valid and differs from the first. */
function differentBody(doc: OpenApiDoc, schema: any, base: Record<string, unknown>): Record<string, unknown> | undefined {
  const s = resolve(doc, schema);
  const free = Object.entries<any>(s?.properties ?? {}).filter(([k, v]) => resolve(doc, v)?.type === 'string' && !resolve(doc, v)?.enum && !NOT_FREE_TEXT.test(k));
  const present = free.find(([k]) => typeof base[k] === 'string');
  if (present) return { ...base, [present[0]]: `${String(base[present[0]])}（改）` };
  const optional = free[0];
  return optional ? { ...base, [optional[0]]: '另一请求体' } : undefined;
}
