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
}

const HUGE = 'x'.repeat(200_000);
const CONTROL = 'a\u0000b\u0007c\u001b[31m\r\n\u2028\u202e';
const DATES = ['2025-02-30', '9999-12-31', '+010000-01-01', '2025-13-01', '0000-00-00', '2025-09-23T25:61:00Z', '1e9'];
/** Raw JSON number tokens: JSON.stringify would turn 1e400 into null and lose 1e-320's spelling. */
const NUMBERS = ['1e-320', '1e400', '1e21', '-1', '0.1234567', '9007199254740993'];

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

const wrongTypes = (schema: any): string[] => {
  switch (schema?.type) {
    case 'string':
      return ['12345', '{}'];
    case 'number':
    case 'integer':
      return ['"12"', '[1]'];
    case 'boolean':
      return ['"true"'];
    case 'array':
      return ['{}'];
    default:
      return ['"x"', '[]'];
  }
};

export function mutationsOf(doc: OpenApiDoc, schema: any, base: unknown): Mutation[] {
  const text = JSON.stringify(base ?? {});
  const out: Mutation[] = [
    { name: 'empty object', text: '{}' },
    { name: 'array body', text: '[]' },
    { name: 'null body', text: 'null' },
    { name: 'string body', text: '"x"' },
    { name: 'number body', text: '1e-320' },
    { name: '10,000-deep object', text: '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000) },
    { name: '50,000-deep array', text: '['.repeat(50_000) + ']'.repeat(50_000) },
    { name: '__proto__ key', text: text.replace(/^\{/, '{"__proto__":{"role":"admin","isAdmin":true},') },
    { name: 'constructor.prototype', text: text.replace(/^\{/, '{"constructor":{"prototype":{"role":"admin"}},') },
    { name: 'unknown field', text: text.replace(/^\{/, '{"unexpectedField":1,') },
    { name: 'truncated JSON', text: text.slice(0, Math.max(1, Math.floor(text.length / 2))) },
    { name: 'duplicate keys', text: text.replace(/^\{/, '{"orgUnit":"west",') },
  ];
  for (const field of fieldsOf(doc, schema)) {
    const path = field.path;
    const at = path.join('.');
    if (field.required) out.push({ name: `${at} missing`, text: withRaw(base, path, undefined) });
    out.push({ name: `${at} null`, text: withRaw(base, path, 'null') });
    for (const raw of wrongTypes(field.schema)) out.push({ name: `${at} = ${raw}`, text: withRaw(base, path, raw) });
    const type = field.schema?.type;
    if (type === 'string') {
      out.push({ name: `${at} huge`, text: withRaw(base, path, JSON.stringify(HUGE)) });
      out.push({ name: `${at} control characters`, text: withRaw(base, path, JSON.stringify(CONTROL)) });
      out.push({ name: `${at} empty`, text: withRaw(base, path, '""') });
      if (DATE_NAME.test(path[path.length - 1])) for (const d of DATES) out.push({ name: `${at} = ${d}`, text: withRaw(base, path, JSON.stringify(d)) });
    }
    if (type === 'number' || type === 'integer') for (const n of NUMBERS) out.push({ name: `${at} = ${n}`, text: withRaw(base, path, n) });
    if (type === 'array') out.push({ name: `${at} 10,000 items`, text: withRaw(base, path, JSON.stringify(Array.from({ length: 10_000 }, () => 'x'))) });
  }
  return out;
}
