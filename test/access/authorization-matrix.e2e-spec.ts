import { generateKeyPairSync } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { HearthUnderTest } from '@hearth/testing/hearth-process';
import { CaseFixtures, CLOCK_START, bodyFor, createFixtures, freshCaseFor, pathFor } from '../security/case-fixtures';
import { OpenApiDoc, Operation, loadOpenApi, operationKey, operationsOf } from '../security/openapi-operations';
import { runPool } from '../security/request-pool';
import { AUTHORIZATION_TABLE, CALLERS, Expected, RESOURCE_UNIT, Role, expectedFor } from './authorization-table';
import { relationOf } from './org-relations';

/**
 * Issue 11: the authorization matrix, generated from the live OpenAPI document. Every operation × every caller of
 * CALLERS (each role in the resource's unit, above it, below it and in the other branch) is compared with the declared
 * AUTHORIZATION_TABLE: allowed = anything but 401/403 (the state may still refuse with 404/409/422), denied = 403;
 * never a 5xx. Then every operation × every kind of bad token = 401. A mismatch lists every cell at once.
 */

const ANSWER_BOUND_MS = 5_000;
const CONCURRENCY = 4;

/** Cells (`<operation> as <user> (<relation>)`) whose fix belongs to another engineer and had not landed when this suite was last run. */
const PENDING: Record<string, string> = {};

/**
 * Operations that change who may act next (a transfer or 交办 moves the case's attention; a reply or decision is given
 * once): after a caller acted, the next one gets a case of its own, brought to the state the operation applies in
 * (case-fixtures SETUP).
 */
const ONE_CASE_PER_CALLER = new Set([
  'POST /petitions/{id}/transfer',
  'POST /petitions/{id}/assign-down',
  'POST /petitions/{id}/supervision-reply',
  'POST /petitions/{id}/review-decision',
  'POST /petitions/{id}/recheck-decision',
]);

/** Steps whose scope rule the decider must apply before looking at the state (no 督办 to reply to, no review asked). */
const SCOPE_BEFORE_STATE = ['POST /petitions/{id}/supervision-reply', 'POST /petitions/{id}/review-decision', 'POST /petitions/{id}/recheck-decision'];

describe('authorization matrix (OpenAPI operations × roles × org subtree × bad tokens)', () => {
  let h: HearthUnderTest;
  let doc: OpenApiDoc;
  let ops: Operation[];
  let fixtures: CaseFixtures;

  beforeAll(async () => {
    h = await HearthUnderTest.start({ separateWorker: false, clockStart: CLOCK_START });
    doc = await loadOpenApi(h.baseUrl);
    ops = operationsOf(doc);
    fixtures = await createFixtures(h);
    await h.eventually(async () => (await h.request('officer.east-s1', 'GET', `/petitions/${fixtures.petitionId}`)).status === 200, 20_000, 'the petition read model');
    await h.eventually(async () => (await h.request('officer.east-s1-g1', 'GET', `/hardship-files/${fixtures.hardshipId}`)).status === 200, 20_000, 'the hardship read model');
  });
  afterAll(async () => h?.stop());

  /** One request's status, -1 when no answer came within the bound; an SSE stream is closed once its headers arrive. */
  async function call(op: Operation, token: string | undefined, f: CaseFixtures = fixtures): Promise<number> {
    const controller = new AbortController();
    // Sign-in verifies an argon2id hash by design: a wider bound there, still only against hangs.
    const bound = AUTHORIZATION_TABLE[operationKey(op)]?.ownCredentials ? 20_000 : ANSWER_BOUND_MS;
    const timer = setTimeout(() => controller.abort(), bound);
    try {
      const body = bodyFor(doc, op);
      const res = await fetch(`${h.baseUrl}${pathFor(op, f)}`, {
        method: op.method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
      if (res.headers.get('content-type')?.includes('text/event-stream')) controller.abort();
      else await res.arrayBuffer();
      return res.status;
    } catch (err) {
      if (controller.signal.aborted && (err as Error).name === 'AbortError') return -1;
      throw err;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  it('every operation of the OpenAPI document is declared in the table, and every declared one exists', () => {
    const live = ops.map(operationKey).sort();
    expect(live.filter((k) => !AUTHORIZATION_TABLE[k])).toEqual([]);
    expect(Object.keys(AUTHORIZATION_TABLE).filter((k) => !live.includes(k))).toEqual([]);
  });

  /** Runs every caller of CALLERS against `op` and returns the cells that differ from the table. */
  async function mismatchesOf(op: Operation, nextCase: () => Promise<CaseFixtures>, perCaller: boolean): Promise<string[]> {
    const key = operationKey(op);
    const rule = AUTHORIZATION_TABLE[key];
    if (!rule) return [];
    const out: string[] = [];
    let own = await nextCase();
    let used = false;
    for (const user of CALLERS) {
      // A refused call leaves the case as it was; after one that acted, the next caller gets a fresh case.
      if (perCaller && used) [own, used] = [await nextCase(), false];
      const [role, ...unitParts] = user.split('.');
      const unit = RESOURCE_UNIT[rule.resource];
      const relation = unit ? relationOf(unitParts.join('.'), unit) : undefined;
      const expected: Expected = expectedFor(rule, role as Role, relation);
      const got = await call(op, h.token(user), own);
      used = got >= 200 && got < 300;
      const refused = got === 403 || (rule.deniedAs ?? []).includes(got);
      const ok = got >= 0 && got < 500 && (expected === 'denied' ? refused : rule.ownCredentials || (got !== 401 && got !== 403));
      if (!ok) out.push(`${key} as ${user} (${relation ?? 'any'}): expected ${expected}, got ${got}`);
    }
    return out;
  }

  it('every operation × every role inside, above, below and outside the resource’s subtree answers as declared', async () => {
    const mismatches: string[] = [];
    // Operations run side by side; one operation's callers run in turn against a case of its own.
    await runPool(ops, CONCURRENCY, async (op) => {
      const perCaller = ONE_CASE_PER_CALLER.has(operationKey(op));
      mismatches.push(...(await mismatchesOf(op, () => freshCaseFor(h, op, fixtures), perCaller)));
    });
    expect(mismatches.filter((m) => !PENDING[m.split(':')[0]]).sort()).toEqual([]);
  });

  it('scope before state: whoever could never act is refused (403) even when the case is not in the state the step needs', async () => {
    const mismatches: string[] = [];
    const steps = ops.filter((op) => SCOPE_BEFORE_STATE.includes(operationKey(op)));
    await runPool(steps, CONCURRENCY, async (op) => {
      mismatches.push(...(await mismatchesOf(op, () => freshCaseFor(h, op, fixtures, false), false)));
    });
    expect(mismatches.filter((m) => !PENDING[m.split(':')[0]]).sort()).toEqual([]);
  });

  it('every operation with a bad token → 401 (missing, expired, wrong secret, alg none, RS256, HS512, unknown user, claims that differ from the directory)', async () => {
    const claims = { sub: 'officer.east-s1', role: 'officer', org: 'east-s1' };
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const badTokens: Record<string, string | undefined> = {
      missing: undefined,
      garbage: 'not-a-jwt',
      expired: jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, h.secret, { algorithm: 'HS256' }),
      'wrong secret': jwt.sign(claims, 'another-secret-another-secret', { algorithm: 'HS256' }),
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iat: Math.floor(Date.now() / 1000) })}.`,
      RS256: jwt.sign(claims, privateKey, { algorithm: 'RS256' }),
      'HS512 with the right secret': jwt.sign(claims, h.secret, { algorithm: 'HS512' }),
      'unknown user': jwt.sign({ sub: 'nobody.east-s1', role: 'officer', org: 'east-s1' }, h.secret, { algorithm: 'HS256' }),
      'role differs from the directory': jwt.sign({ ...claims, role: 'head' }, h.secret, { algorithm: 'HS256' }),
      'org differs from the directory': jwt.sign({ ...claims, org: 'city' }, h.secret, { algorithm: 'HS256' }),
      'no role claim': jwt.sign({ sub: claims.sub, org: claims.org }, h.secret, { algorithm: 'HS256' }),
      'system identity': jwt.sign({ sub: 'system', role: 'system', org: 'city' }, h.secret, { algorithm: 'HS256' }),
    };
    const cells = ops.filter((op) => !AUTHORIZATION_TABLE[operationKey(op)]?.public).flatMap((op) => Object.entries(badTokens).map(([kind, token]) => ({ op, kind, token })));
    const mismatches: string[] = [];
    await runPool(cells, CONCURRENCY, async ({ op, kind, token }) => {
      const got = await call(op, token);
      const refused = got === 401 || (AUTHORIZATION_TABLE[operationKey(op)]?.operator && got === 403);
      if (!refused && !PENDING[`${operationKey(op)} with ${kind}`]) mismatches.push(`${operationKey(op)} with ${kind}: got ${got}`);
    });
    expect(mismatches.sort()).toEqual([]);
  });
});
