import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port';
import { UpcasterRegistry } from './upcaster';

/**
 * EventStore decorator for schema evolution: every event read (streams, the global log, subscriptions) comes out
 * at its type's current version; every event appended is stamped with that version, since the code that writes
 * it is compiled against the current shape. The log itself is never rewritten.
 */
export class UpcastingEventStore implements EventStore {
  readonly verifyIntegrity?: EventStore['verifyIntegrity'];
  readonly headHash?: EventStore['headHash'];

  constructor(
    readonly inner: EventStore,
    readonly upcasters: UpcasterRegistry,
  ) {
    // Tamper-evidence queries concern the stored bytes: passed through untouched.
    if (inner.verifyIntegrity) this.verifyIntegrity = (o) => inner.verifyIntegrity!(o);
    if (inner.headHash) this.headHash = () => inner.headHash!();
  }

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const stamped = events.map((e) => {
      const v = this.upcasters.currentVersion(e.type);
      return e.metadata.schemaVersion === v ? e : { ...e, metadata: { ...e.metadata, schemaVersion: v } };
    });
    return this.inner.append(streamId, stamped, expected);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readStream(streamId, options)).map((e) => this.upcasters.upcast(e));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readAll(options)).map((e) => this.upcasters.upcast(e));
  }

  subscribeToAll(handler: SubscriptionHandler, options?: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll((events) => handler(events.map((e) => this.upcasters.upcast(e))), options);
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
