/* eslint-disable @typescript-eslint/no-explicit-any */
import { OpenApiDoc, fieldsOf } from './openapi-operations';

/**
 * Hostile variants of a valid request body (issue 11): wrong types, missing fields, huge strings, deep nesting,
 * control characters, `__proto__`, extreme numbers, impossible and far-future dates. Each is raw JSON text, so
 * bodies JSON.stringify cannot write (1e-320 kept as written, a literal `__proto__` key) are sent as such.
 */
export interface Mutation {
  name: string;
  text: string;
  /** Malformed beyond doubt: the answer must be 400 (a wrong type, a missing field, an impossible value, no size limit). */
  malformed: boolean;
}

/** Longer than any field's limit (the longest, facts and notes, allow 10,000 characters). */
const HUGE = 'x'.repeat(20_001);
const CONTROL = 'a\u0000b\u0007c\u001b[31m\r\n\u2028\u202e';
const DATES = ['2025-02-30', '9999-12-31', '+010000-01-01', '2025-09-23T25:61:00Z'];
/** Raw JSON number tokens: JSON.stringify would turn 1e400 into null and lose 1e-320's spelling. */
/** Numbers no amount, count or day number may be; `-1` is only sometimes wrong, so it must merely not break anything. */
const NUMBERS = ['1e-320', '1e400', '9007199254740993'];
const ODD_NUMBERS = ['-1'];

const DATE_NAME = /(Date|On|At)$|^at$/;

/** JSON text of `body` with the value at `path` replaced by raw JSON `raw` (or removed when raw is undefined). */
function withRaw(body: unknown, path: string[], raw: string | undefined): string {
  const marker = '__HOSTILE_VALUE__';
  const copy = JSON.parse(JSON.stringify(body ?? {}));
  let node: any = copy;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = /^\d+$/.test(key) ? [] : {};
    node = node[key];
  }
  const last = path[path.length - 1];
  if (raw === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
    return JSON.stringify(copy);
  }
  node[last] = marker;
  return JSON.stringify(copy).replace(`"${marker}"`, raw);
}

/** One value of the wrong JSON type for the field's schema. */
const wrongType = (schema: any): string => {
  switch (schema?.type) {
    case 'string':
      return '12345';
    case 'number':
    case 'integer':
      return '"12"';
    case 'boolean':
      return '"true"';
    case 'array':
      return '{}';
    default:
      return '"x"';
  }
};

/** Mutations of an operation's body; where the operation takes no body, none is read, so none counts as malformed. */
export function mutationsOf(doc: OpenApiDoc, schema: any, base: unknown): Mutation[] {
  if (!schema) return globalMutations('{}').slice(1, 3).map((m) => ({ ...m, malformed: false }));
  return [...globalMutations(JSON.stringify(base ?? {})), ...fieldMutations(doc, schema, base)];
}

function globalMutations(text: string): Mutation[] {
  return [
    { name: 'array body', text: '[]', malformed: true },
    { name: 'null body', text: 'null', malformed: true },
    { name: '10,000-deep object', text: '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), malformed: true },
    { name: '50,000-deep array', text: '['.repeat(50_000) + ']'.repeat(50_000), malformed: true },
    { name: '__proto__ key', text: text.replace(/^\{/, '{"__proto__":{"role":"admin","isAdmin":true},'), malformed: true },
    { name: 'constructor.prototype', text: text.replace(/^\{/, '{"constructor":{"prototype":{"role":"admin"}},'), malformed: true },
    { name: 'unknown field', text: text.replace(/^\{/, '{"unexpectedField":1,'), malformed: true },
    { name: 'truncated JSON', text: text.slice(0, Math.max(1, Math.floor(text.length / 2))), malformed: true },
  ];
}

function fieldMutations(doc: OpenApiDoc, schema: any, base: unknown): Mutation[] {
  const out: Mutation[] = [];
  for (const field of fieldsOf(doc, schema)) {
    const path = field.path;
    const at = path.join('.');
    const push = (name: string, raw: string | undefined, malformed: boolean) => out.push({ name: `${at} ${name}`, text: withRaw(base, path, raw), malformed });
    if (field.required) push('missing', undefined, true);
    if (field.required) push('null', 'null', true);
    push(`= ${wrongType(field.schema)}`, wrongType(field.schema), true);
    const type = field.schema?.type;
    if (type === 'string') {
      push('huge (20,001 characters)', JSON.stringify(HUGE), true);
      push('control characters', JSON.stringify(CONTROL), false);
      if (DATE_NAME.test(path[path.length - 1])) for (const d of DATES) push(`= ${d}`, JSON.stringify(d), true);
    }
    if (type === 'number' || type === 'integer') {
      for (const n of NUMBERS) push(`= ${n}`, n, true);
      for (const n of ODD_NUMBERS) push(`= ${n}`, n, false);
    }
    if (type === 'array') push('10,000 items', JSON.stringify(Array.from({ length: 10_000 }, () => 'x')), true);
  }
  return out;
}

/** Hostile values for one query parameter, already URL-encoded where they are meant to arrive intact. */
export function queryMutations(name: string): { name: string; query: string }[] {
  const enc = encodeURIComponent;
  const values = ['', 'x'.repeat(20_000), CONTROL, '-1', '1e-320', '1e400', '9007199254740993', '2025-02-30', '9999-12-31T23:59:59Z', '+010000-01-01T00:00:00Z', '__proto__'];
  return [
    ...values.map((v) => ({ name: `${name} = ${JSON.stringify(v.slice(0, 30))}`, query: `${enc(name)}=${enc(v)}` })),
    { name: `${name} twice`, query: `${enc(name)}=a&${enc(name)}=b` },
    { name: `${name}[] array syntax`, query: `${enc(name)}[]=a&${enc(name)}[x]=b` },
    { name: `${name} bad percent-encoding`, query: `${enc(name)}=%E0%A4%A` },
    { name: `__proto__ parameter`, query: `__proto__[admin]=1&constructor[prototype][admin]=1` },
  ];
}
