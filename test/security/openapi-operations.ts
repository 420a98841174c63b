/* eslint-disable @typescript-eslint/no-explicit-any */
import { randomUUID } from 'node:crypto';

/**
 * The operations of the live OpenAPI document (`/docs/openapi.json`) and request bodies built from their schemas,
 * so the attack suites cover a new route without anyone listing it.
 */
export interface Operation {
  method: string;
  /** Path template, e.g. `/petitions/{id}/acceptance`. */
  path: string;
  /** The request body schema, refs resolved lazily through `schemas`. */
  body?: any;
  /** Header parameters the operation documents (e.g. Idempotency-Key, If-Match). */
  headers: string[];
  /** Query parameters the operation documents. */
  query: { name: string; schema: any }[];
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, any> };
}

export const operationKey = (op: Pick<Operation, 'method' | 'path'>) => `${op.method} ${op.path}`;

export async function loadOpenApi(baseUrl: string): Promise<OpenApiDoc> {
  const res = await fetch(`${baseUrl}/docs/openapi.json`);
  if (!res.ok) throw new Error(`openapi.json: ${res.status}`);
  return (await res.json()) as OpenApiDoc;
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        body: op.requestBody?.content?.['application/json']?.schema,
        headers: (op.parameters ?? []).filter((p: any) => p.in === 'header').map((p: any) => String(p.name)),
        query: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => ({ name: String(p.name), schema: p.schema })),
      })),
  );
}

export const resolve = (doc: OpenApiDoc, schema: any): any =>
  schema?.$ref ? resolve(doc, doc.components?.schemas?.[String(schema.$ref).split('/').pop()!]) : schema;

/** Values for fields the schema leaves open (patterns live in class-validator, not in the document). */
export interface ValueHints {
  /** A calendar date in the domain clock's near future. */
  date: string;
  /** An instant in the domain clock's recent past. */
  instant: string;
}

const ID_NUMBER = '11010519491231002X';

function stringFor(name: string, hints: ValueHints): string {
  if (/idNumber$/i.test(name)) return ID_NUMBER;
  if (/(Date|On)$/.test(name) || name === 'filedAt') return hints.date;
  if (name === 'at' || /At$/.test(name)) return hints.instant;
  if (/Id$/.test(name) || name === 'signedBy') return 'x1';
  if (name === 'orgUnit' || name === 'toOrgUnit') return 'east-s1';
  return '测试';
}

/** A body that passes the schema: required fields only, examples and first enum values where given. */
export function sampleOf(doc: OpenApiDoc, schema: any, hints: ValueHints, name = ''): unknown {
  const s = resolve(doc, schema);
  if (!s) return {};
  if (s.allOf) return sampleOf(doc, s.allOf[0], hints, name);
  if (s.example !== undefined) return s.example;
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'object':
    case undefined: {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) out[key] = sampleOf(doc, s.properties?.[key], hints, key);
      return out;
    }
    case 'array':
      return [sampleOf(doc, s.items, hints, name)];
    case 'string':
      return s.format === 'uuid' ? randomUUID() : stringFor(name, hints);
    case 'number':
    case 'integer':
      return Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/** Every field of a body schema, with its path and resolved schema (for per-field mutations). */
export function fieldsOf(doc: OpenApiDoc, schema: any, prefix: string[] = [], depth = 0): { path: string[]; schema: any; required: boolean }[] {
  const s = resolve(doc, schema);
  if (!s?.properties || depth > 4) return [];
  return Object.entries<any>(s.properties).flatMap(([key, child]) => {
    const path = [...prefix, key];
    const c = resolve(doc, child);
    const own = { path, schema: c, required: (s.required ?? []).includes(key) };
    const nested = c?.type === 'array' ? fieldsOf(doc, c.items, [...path, '0'], depth + 1) : fieldsOf(doc, c, path, depth + 1);
    return [own, ...nested];
  });
}
