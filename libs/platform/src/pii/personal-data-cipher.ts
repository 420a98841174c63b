import type { NewEvent, RecordedEvent } from '@hearth/event-store';
import type { DataKey, KeyStore, SubjectUse } from './key-store';
import { open, seal } from './master-key';
import type { PersonalDataPolicy, PersonalRule, SubjectRef } from './personal-data-policy';

/** What every view shows in place of a personal value whose subject was erased (a string, so code expecting text keeps working). */
export const ERASED = '[erased]';

/**
 * An encrypted personal value as stored in the log, in place of the plaintext:
 * `{ "$pii": 1, "s": subjectId, "k": keyId, "r": role, "c": base64(iv ‖ tag ‖ AES-256-GCM(JSON value)) }`.
 * The ciphertext is bound (GCM additional data) to the stream, the event id and the JSON pointer of the value, so
 * it cannot be moved to another place. Subject, key id and role are pseudonymous ids, not personal data.
 */
export interface Envelope {
  $pii: 1;
  s: string;
  k: string;
  r: string;
  c: string;
}

export const isEnvelope = (v: unknown): v is Envelope =>
  !!v && typeof v === 'object' && !Array.isArray(v) && (v as Envelope).$pii === 1 && typeof (v as Envelope).c === 'string' && typeof (v as Envelope).k === 'string';

const aadOf = (streamId: string, eventId: string, pointer: string): string => `hearth-pii|${streamId}|${eventId}|${pointer}`;
const escape = (seg: string | number): string => String(seg).replace(/~/g, '~0').replace(/\//g, '~1');

/** Every envelope in a value, with its JSON pointer (e.g. `/petitioners/0/name`). */
export function envelopesIn(value: unknown, pointer = ''): Array<{ pointer: string; envelope: Envelope }> {
  if (isEnvelope(value)) return [{ pointer, envelope: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => envelopesIn(v, `${pointer}/${i}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => envelopesIn(v, `${pointer}/${escape(k)}`));
  return [];
}

/** Keys looked up once per read (batch), so a stream with many personal values costs one key-store lookup per key. */
export type KeyCache = Map<string, DataKey | null>;

/**
 * Encrypts the personal values of events before they are appended (per the policy), and opens them again on read:
 * plaintext while the subject's key exists, `ERASED` after the subject was erased.
 */
export class PersonalDataCipher {
  constructor(
    readonly keys: KeyStore,
    readonly policy: PersonalDataPolicy,
  ) {}

  /** The events with every personal value encrypted; the subjects' keys and uses are on disk when this resolves. */
  async protect(streamId: string, events: readonly NewEvent[]): Promise<NewEvent[]> {
    const uses = new Map<string, SubjectUse>();
    const subjects = new Map<string, SubjectRef>();
    const leavesToSeal: Array<{ leaf: Leaf; subject: SubjectRef; rule: PersonalRule; eventId: string }> = [];
    const out: NewEvent[] = [];
    // First every personal value and its subject, then the keys (one key-store write at most), then the sealing.
    for (const e of events) {
      const rules = this.policy(e.type, streamId, e.data);
      if (!rules.length || !e.data || typeof e.data !== 'object') {
        out.push(e);
        continue;
      }
      const data = structuredClone(e.data) as Record<string, unknown>;
      // A value two rules reach belongs to the first (as if it had been sealed before the second looked).
      const claimed = new Set<string>();
      for (const rule of rules) {
        for (const { item, pointer, index } of select(data, rule.at)) {
          const subject = rule.subject(item, { streamId, data, index });
          const targets = rule.fields ? rule.fields.flatMap((f) => member(item, f, pointer)) : [{ value: item, pointer, set: () => undefined }];
          const leaves = targets.flatMap((t) => leavesOf(t.value, t.pointer, t.set)).filter((l) => !claimed.has(l.pointer));
          // A key only for a subject that has something to encrypt here (no empty subjects).
          if (!leaves.length) continue;
          for (const leaf of leaves) {
            claimed.add(leaf.pointer);
            leavesToSeal.push({ leaf, subject, rule, eventId: e.id });
          }
          subjects.set(subject.subjectId, subject);
          const u = uses.get(subject.subjectId) ?? { subjectId: subject.subjectId, kind: subject.kind, streamId, blindIndexes: [] };
          uses.set(subject.subjectId, { ...u, blindIndexes: [...u.blindIndexes, ...(subject.blindIndexes ?? [])] });
        }
      }
      out.push({ ...e, data });
    }
    if (!leavesToSeal.length) return out;
    const keys = await this.keys.keysFor([...subjects.values()], [...uses.values()]);
    for (const { leaf, subject, rule, eventId } of leavesToSeal)
      leaf.set(this.envelope(leaf.value, subject, rule, keys.get(subject.subjectId)!, streamId, eventId, leaf.pointer));
    return out;
  }

  /** Events with every envelope replaced by its plaintext, or by `ERASED` when the key is gone. */
  async open<E extends RecordedEvent>(events: readonly E[], cache: KeyCache = new Map()): Promise<E[]> {
    const out: E[] = [];
    for (const e of events) {
      const found = envelopesIn(e.data);
      if (!found.length) {
        out.push(e);
        continue;
      }
      const data = structuredClone(e.data);
      let root: unknown = data;
      for (const { pointer, envelope } of found) {
        const opened = await this.openEnvelope(envelope, e.streamId, e.id, pointer, cache);
        const value = opened.erased ? ERASED : opened.value;
        if (pointer === '') root = value;
        else setAt(data, pointer, value);
      }
      out.push({ ...e, data: root });
    }
    return out;
  }

  /** One envelope: its plaintext value, or `erased` when its key no longer exists. */
  async openEnvelope(envelope: Envelope, streamId: string, eventId: string, pointer: string, cache: KeyCache = new Map()): Promise<{ erased: true } | { erased: false; value: unknown }> {
    let key = cache.get(envelope.k);
    if (key === undefined) {
      key = (await this.keys.keyById(envelope.k)) ?? null;
      cache.set(envelope.k, key);
    }
    if (!key) return { erased: true };
    const plain = open(key.key, Buffer.from(envelope.c, 'base64'), aadOf(streamId, eventId, pointer));
    return { erased: false, value: JSON.parse(plain.toString('utf8')) as unknown };
  }

  private envelope(value: unknown, subject: SubjectRef, rule: PersonalRule, key: DataKey, streamId: string, eventId: string, pointer: string): Envelope {
    const c = seal(key.key, Buffer.from(JSON.stringify(value), 'utf8'), aadOf(streamId, eventId, pointer)).toString('base64');
    return { $pii: 1, s: subject.subjectId, k: key.keyId, r: rule.role, c };
  }
}

/** Items at a dot path (`*` = every array element), with their JSON pointers and array index. */
function select(data: Record<string, unknown>, path: string): Array<{ item: Record<string, unknown>; pointer: string; index: number }> {
  let level: Array<{ value: unknown; pointer: string; index: number }> = [{ value: data, pointer: '', index: 0 }];
  for (const seg of path ? path.split('.') : []) {
    level = level.flatMap(({ value, pointer, index }) => {
      if (seg === '*') return Array.isArray(value) ? value.map((v, i) => ({ value: v, pointer: `${pointer}/${i}`, index: i })) : [];
      if (!value || typeof value !== 'object' || Array.isArray(value) || isEnvelope(value)) return [];
      return [{ value: (value as Record<string, unknown>)[seg], pointer: `${pointer}/${escape(seg)}`, index }];
    });
  }
  return level
    .filter((l) => !!l.value && typeof l.value === 'object' && !Array.isArray(l.value) && !isEnvelope(l.value))
    .map((l) => ({ item: l.value as Record<string, unknown>, pointer: l.pointer, index: l.index }));
}

type Setter = (v: unknown) => void;
type Leaf = { value: unknown; pointer: string; set: Setter };

/** A member of an item by dot path: its value, its pointer, and how to replace it. */
function member(item: Record<string, unknown>, path: string, base: string): Array<{ value: unknown; pointer: string; set: Setter }> {
  const segs = path.split('.');
  let holder: unknown = item;
  let pointer = base;
  for (const seg of segs.slice(0, -1)) {
    if (!holder || typeof holder !== 'object' || Array.isArray(holder)) return [];
    holder = (holder as Record<string, unknown>)[seg];
    pointer += `/${escape(seg)}`;
  }
  const last = segs[segs.length - 1];
  if (!holder || typeof holder !== 'object' || Array.isArray(holder) || !(last in holder)) return [];
  const h = holder as Record<string, unknown>;
  return [{ value: h[last], pointer: `${pointer}/${escape(last)}`, set: (v) => (h[last] = v) }];
}

/** Every leaf (string, number, boolean) of a value that is still plaintext, with a setter that replaces it in place. */
function leavesOf(value: unknown, pointer: string, set: Setter): Array<{ value: unknown; pointer: string; set: Setter }> {
  if (value === null || value === undefined || value === ERASED || isEnvelope(value)) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => leavesOf(v, `${pointer}/${i}`, (x) => (value[i] = x)));
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return Object.entries(o).flatMap(([k, v]) => leavesOf(v, `${pointer}/${escape(k)}`, (x) => (o[k] = x)));
  }
  return [{ value, pointer, set }];
}

function setAt(root: unknown, pointer: string, value: unknown): void {
  const segs = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = root as Record<string, unknown>;
  for (const seg of segs.slice(0, -1)) node = node[seg] as Record<string, unknown>;
  node[segs[segs.length - 1]] = value;
}

/**
 * The data with every envelope replaced by `{ personal: true, subjectId, role }`: for views that must not decrypt
 * (an auditor's history, where reading plaintext is a logged act: POST /privacy/subjects/{id}/reveal).
 */
export function maskPersonalData(value: unknown): unknown {
  if (isEnvelope(value)) return { personal: true, subjectId: value.s, role: value.r };
  if (Array.isArray(value)) return value.map(maskPersonalData);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPersonalData(v)]));
  return value;
}
