import type Redis from 'ioredis';

export type KeyClass = 'readModels' | 'deadlineTimers' | 'otherQueues' | 'meta';

/**
 * Where a Hearth key belongs: the deadline timers are BullMQ's `hearth-bull:<deadline queue>:*` keys plus the
 * scheduler's index `hearth:deadlines:timers`; checkpoints, leases and generation pointers are bookkeeping; every
 * other `hearth:` key is a read model (petition docs, indexes, counters, alert inboxes, repeat index).
 */
export function classify(key: string, deadlineQueue = 'hearth-deadlines'): KeyClass {
  if (key.startsWith(`hearth-bull:${deadlineQueue}:`) || key === 'hearth:deadlines:timers') return 'deadlineTimers';
  if (key.startsWith('hearth-bull:')) return 'otherQueues';
  if (key.startsWith('hearth:ckpt:') || key.startsWith('hearth:lease:') || key.startsWith('hearth:rm:') || key === 'hearth:rebuilding') return 'meta';
  return 'readModels';
}

/** `hearth:pet:…` → `hearth:pet:`; a BullMQ job key → `<prefix>:<queue>:<job>`; keys without a namespace stay whole. */
export function namespaceOf(key: string): string {
  const parts = key.split(':');
  if (parts[0].endsWith('-bull') && parts.length >= 3) return `${parts[0]}:${parts[1]}:${/^[a-z-]+$/.test(parts[2]) ? parts[2] : '<job>'}`;
  return parts.length > 2 ? `${parts[0]}:${parts[1]}:` : key;
}

export interface RedisMemory {
  bytes: Record<KeyClass, number>;
  keys: Record<KeyClass, number>;
  /** Bytes and keys per namespace (see namespaceOf), for the breakdown. */
  namespaces: Record<string, { bytes: number; keys: number }>;
  usedMemory: number;
}

/** Exact bytes (MEMORY USAGE … SAMPLES 0) of every key, summed per class and per namespace, and the key counts. */
export async function bytesByClass(redis: Redis): Promise<RedisMemory> {
  const bytes: Record<KeyClass, number> = { readModels: 0, deadlineTimers: 0, otherQueues: 0, meta: 0 };
  const keys: Record<KeyClass, number> = { readModels: 0, deadlineTimers: 0, otherQueues: 0, meta: 0 };
  const namespaces: Record<string, { bytes: number; keys: number }> = {};
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 2000);
    cursor = next;
    if (!batch.length) continue;
    const p = redis.pipeline();
    for (const k of batch) p.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    const res = (await p.exec()) ?? [];
    batch.forEach((k, i) => {
      const c = classify(k);
      const b = Number(res[i]?.[1] ?? 0);
      bytes[c] += b;
      keys[c]++;
      const ns = (namespaces[namespaceOf(k)] ??= { bytes: 0, keys: 0 });
      ns.bytes += b;
      ns.keys++;
    });
  } while (cursor !== '0');
  return { bytes, keys, namespaces, usedMemory: await usedMemory(redis) };
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}

export async function redisRss(redis: Redis): Promise<number> {
  return Number(/used_memory_rss:(\d+)/.exec(await redis.info('memory'))![1]);
}

/** The namespaces, biggest first, as `ns keys bytes (per unit)` lines. */
export function formatNamespaces(m: RedisMemory, per: number, unit: string): string {
  return Object.entries(m.namespaces)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, 12)
    .map(([ns, v]) => `    ${ns.padEnd(40)} ${String(v.keys).padStart(8)} keys ${String(v.bytes).padStart(11)} B  ${(v.bytes / per).toFixed(0).padStart(6)} B/${unit}`)
    .join('\n');
}
