import type { RecordedEvent } from '../event-store.port';

/**
 * Schema evolution (architecture: "schema version" on every event). The log is never rewritten, so an event keeps
 * the shape it was written with; an upcaster is a pure function that turns the data of one event type from
 * `fromVersion` into `fromVersion + 1`, and the read path chains them up to the type's current version. Types with
 * no upcaster are at version 1.
 */
export interface Upcaster {
  type: string;
  fromVersion: number;
  /** Pure: must not mutate `data`, must not read anything but its arguments. */
  upcast(data: unknown): unknown;
}

export class UpcasterRegistry {
  private readonly byType = new Map<string, Map<number, Upcaster>>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const u of upcasters) this.register(u);
  }

  register(u: Upcaster): this {
    if (!Number.isInteger(u.fromVersion) || u.fromVersion < 1) throw new Error(`upcaster ${u.type}: fromVersion must be an integer ≥ 1`);
    const chain = this.byType.get(u.type) ?? new Map<number, Upcaster>();
    if (chain.has(u.fromVersion)) throw new Error(`upcaster ${u.type} v${u.fromVersion} registered twice`);
    chain.set(u.fromVersion, u);
    this.byType.set(u.type, chain);
    return this;
  }

  /** Throws when a type's chain has a gap (e.g. v1→v2 and v3→v4 but no v2→v3): some stored events could not reach the current version. */
  assertComplete(): this {
    for (const [type, chain] of this.byType)
      for (let v = 1; v <= Math.max(...chain.keys()); v++) if (!chain.has(v)) throw new Error(`upcaster chain of ${type} has no step from v${v}`);
    return this;
  }

  /** The version events of this type are written with now. */
  currentVersion(type: string): number {
    const chain = this.byType.get(type);
    return chain ? Math.max(...chain.keys()) + 1 : 1;
  }

  /** The event at its type's current version (the same object when nothing had to change). */
  upcast<E extends RecordedEvent>(event: E): E {
    const chain = this.byType.get(event.type);
    if (!chain) return event;
    const current = Math.max(...chain.keys()) + 1;
    let version = storedVersion(event);
    if (version >= current) return event;
    let data = event.data;
    for (; version < current; version++) {
      const step = chain.get(version);
      if (!step) throw new Error(`no upcaster for ${event.type} v${version} (event ${event.id})`);
      data = step.upcast(data);
    }
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: current } };
  }
}

/** Events written before versions were recorded count as version 1. */
export const storedVersion = (e: { metadata?: { schemaVersion?: unknown } }): number => {
  const v = e.metadata?.schemaVersion;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : 1;
};
