/* eslint-disable @typescript-eslint/no-explicit-any */
import { request as httpRequest } from 'node:http';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

/** Each request must answer within this bound: a guard against hangs, not a speed assertion. */
const ANSWER_BOUND_MS = 5_000;

/**
 * Issue 11, defects 3 (HTTP side) and 7: the requests that pinned a core (a due date in year 9999/10000) or answered
 * 500 (deep bodies, 1e-320), and Fastify's own client errors, all answer 4xx in the documented error shape
 * `{ statusCode, code, message }`, quickly, and the server keeps answering.
 */
describe('hostile edges: impossible dates, deep bodies, extreme numbers, malformed requests', () => {
  let h: HearthUnderTest;
  let petitionId: string;

  beforeAll(async () => {
    h = await HearthUnderTest.start({ separateWorker: false, clockStart: '2025-09-23T09:00:00+08:00' });
    const r = await h.request('intake.east-s1', 'POST', '/petitions', {
      orgUnit: 'east-s1',
      channel: 'letter',
      category: 'claim',
      subject: '拖欠工资',
      facts: '拖欠三个月工资',
      request: '补发',
      petitioners: [{ name: '周九' }],
      headcount: 1,
      identityKnown: true,
    });
    expect(r.status).toBe(201);
    petitionId = r.body.id;
    expect((await h.request('officer.east-s1', 'POST', `/petitions/${petitionId}/acceptance`, { signedBy: 'head.east-s1' })).status).toBe(200);
  });
  afterAll(async () => h?.stop());

  /** A raw request with a bound on the answer time. */
  const send = async (user: string | null, method: string, path: string, body?: string, contentType = 'application/json') => {
    const res = await fetch(`${h.baseUrl}${path}`, {
      method,
      headers: { ...(user ? { authorization: `Bearer ${h.token(user)}` } : {}), ...(body !== undefined ? { 'content-type': contentType } : {}) },
      body,
      signal: AbortSignal.timeout(ANSWER_BOUND_MS),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
  /**
   * A body over the limit: its Content-Length alone is enough for Fastify to answer 413 before reading it. Sent through
   * node:http with the headers only, since fetch may report the server's early close as EPIPE instead of the answer.
   */
  const sendHuge = (user: string, path: string, size: number) =>
    new Promise<{ status: number; body: any }>((resolvePromise, reject) => {
      const req = httpRequest(`${h.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.token(user)}`, 'content-type': 'application/json', 'content-length': size },
      });
      const timer = setTimeout(() => (req.destroy(), reject(new Error('no answer within the bound'))), ANSWER_BOUND_MS);
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          clearTimeout(timer);
          req.destroy();
          resolvePromise({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
      });
      req.flushHeaders();
    });
  const documented = (body: any, status: number, code: string) => {
    expect(body).toMatchObject({ statusCode: status, code });
    expect(typeof body.message).toBe('string');
  };
  const stillAnswering = async () => expect((await send(null, 'GET', '/health')).status).toBe(200);

  it.each([
    ['supervision', 'supervisor.east', { instructions: '报告' }],
    ['assign-down', 'officer.east-s1', { toOrgUnit: 'east-s1-g1', instructions: '交办' }],
  ])('%s with a due date in year 9999, 10000 or one that does not exist → 400, and the server still answers', async (step, user, rest) => {
    for (const dueDate of ['9999-12-31', '9999-12-20', '+010000-01-01', '2025-02-30', '2025-13-01', '1999-12-31']) {
      const r = await send(user, 'POST', `/petitions/${petitionId}/${step}`, JSON.stringify({ ...rest, dueDate }));
      expect([dueDate, r.status]).toEqual([dueDate, 400]);
      documented(r.body, 400, 'VALIDATION_FAILED');
      expect(r.body.errors).toEqual([{ field: 'dueDate', messages: [expect.stringContaining('YYYY-MM-DD')] }]);
    }
    await stillAnswering();
  });

  it('every date field of every workflow is a real calendar date: 2025-02-30 is refused, not rolled over to 2 March', async () => {
    const m = await send('intake.east-s1', 'POST', '/mediations', JSON.stringify({
      orgUnit: 'east-s1',
      form: 'written',
      workers: [{ workerId: 'w1', name: '李四', migrantWorker: true }],
      employer: { name: '某公司' },
      facts: '拖欠工资',
      claims: [{ type: 'wages', amountYuan: 100 }],
      headcount: 1,
      commonClaim: false,
      disputeDate: '2025-02-30',
    }));
    expect(m.status).toBe(400);
    expect(m.body.errors.map((e: any) => e.field)).toEqual(['disputeDate']);
    const q = await send('officer.east-s1', 'GET', `/petitions?dueBefore=${encodeURIComponent('2025-02-30T00:00:00Z')}`);
    expect([q.status, q.body.errors?.[0]?.field]).toEqual([400, 'dueBefore']);
    const month = await send('officer.east-s1', 'GET', '/mediations/stats?orgUnit=east-s1&month=9999-12');
    expect([month.status, month.body.errors?.[0]?.field]).toEqual([400, 'month']);
    const asOf = await send('auditor.city', 'GET', `/audit/cases/petition/${petitionId}/as-of?at=${encodeURIComponent('2025-09-31T00:00:00+08:00')}`);
    expect([asOf.status, asOf.body.errors?.[0]?.field]).toEqual([400, 'at']);
    // A real date in range still passes.
    const ok = await send('supervisor.east', 'POST', `/petitions/${petitionId}/supervision`, JSON.stringify({ dueDate: '2025-10-20', instructions: '书面报告' }));
    expect(ok.status).toBe(200);
  });

  it('10,000-deep objects and 50,000-deep arrays → 400 VALIDATION_FAILED, not a stack overflow', async () => {
    const deepObject = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const deepArray = '['.repeat(50_000) + ']'.repeat(50_000);
    for (const body of [deepObject, deepArray, `{"note":${deepArray}}`]) {
      const r = await send('officer.east-s1', 'POST', `/petitions/${petitionId}/progress`, body);
      expect(r.status).toBe(400);
      documented(r.body, 400, 'VALIDATION_FAILED');
      expect(r.body.errors[0].messages[0]).toMatch(/嵌套过深/);
    }
    await stillAnswering();
  });

  it('1e-320, 1e400 and other extreme numbers → 400 naming the field, not 500', async () => {
    const household = (monthlyIncomeYuan: string) =>
      `{"orgUnit":"east-s1-g1","stats":{"membersCount":3,"monthlyIncomeYuan":${monthlyIncomeYuan},"rigidExpenses":{},"migrantWorker":false,"monthsEmployed":24},` +
      `"personal":{"headName":"王五","idNumber":"110101199003078515","members":[]}}`;
    for (const n of ['1e-320', '5e-324', '1e400', '-1e400', '1e21']) {
      const r = await send('intake.east-s1-g1', 'POST', '/hardship-files', household(n));
      expect([n, r.status]).toEqual([n, 400]);
      documented(r.body, 400, 'VALIDATION_FAILED');
      expect(r.body.errors).toEqual([{ field: 'stats.monthlyIncomeYuan', messages: [expect.stringMatching(/数值超出允许范围/)] }]);
    }
    const headcount = await send('intake.east-s1', 'POST', '/petitions', '{"headcount":1e-320}');
    expect(headcount.status).toBe(400);
    await stillAnswering();
  });

  it('Fastify’s own client errors answer the documented shape with a Hearth code', async () => {
    const progress = `/petitions/${petitionId}/progress`;
    documented((await send('officer.east-s1', 'POST', progress, '{"note":')).body, 400, 'MALFORMED_JSON');
    documented((await send('officer.east-s1', 'POST', progress, '')).body, 400, 'MALFORMED_JSON');
    documented((await send('officer.east-s1', 'POST', progress, '{"__proto__":{"admin":true},"note":"x"}')).body, 400, 'MALFORMED_JSON');
    documented((await send('officer.east-s1', 'POST', progress, '{"constructor":{"prototype":{"admin":true}},"note":"x"}')).body, 400, 'MALFORMED_JSON');
    const huge = await sendHuge('officer.east-s1', progress, 2_000_000);
    expect(huge.status).toBe(413);
    documented(huge.body, 413, 'PAYLOAD_TOO_LARGE');
    const xml = await send('officer.east-s1', 'POST', progress, '<note/>', 'application/xml');
    expect(xml.status).toBe(415);
    documented(xml.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const longUrl = await send('officer.east-s1', 'GET', `/petitions?orgUnit=${'x'.repeat(20_000)}`);
    expect(longUrl.status).toBe(431);
    documented(longUrl.body, 431, 'HEADERS_TOO_LARGE');
    const badUrl = await send('officer.east-s1', 'GET', '/petitions/%E0%A4%A');
    expect(badUrl.status).toBe(400);
    documented(badUrl.body, 400, 'MALFORMED_URL');
    await stillAnswering();
  });
});
