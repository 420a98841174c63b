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
} from '@hearth/event-store';
import type { PersonalDataCipher } from './personal-data-cipher';

/**
 * EventStore decorator for crypto-shredding: personal values are encrypted before they reach the log (per subject,
 * see personal-data-policy.ts) and opened on every read — plaintext while the subject's key exists, `[erased]` after.
 * Erasure deletes keys only, so the log (and its hash chain) is never rewritten.
 *
 * Everything injected as EVENT_STORE (command runner, history, the petition→mediation process manager) reads through
 * it. Projections and the deadline scheduler read the raw log (PROJECTION_EVENT_STORE): they need no personal data
 * and so never hold any.
 */
export class EncryptingEventStore implements EventStore {
  readonly verifyIntegrity?: EventStore['verifyIntegrity'];
  readonly headHash?: EventStore['headHash'];

  constructor(
    readonly inner: EventStore,
    readonly cipher: PersonalDataCipher,
  ) {
    // Tamper evidence is about the stored (encrypted) bytes.
    if (inner.verifyIntegrity) this.verifyIntegrity = (o) => inner.verifyIntegrity!(o);
    if (inner.headHash) this.headHash = () => inner.headHash!();
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.inner.append(streamId, await this.cipher.protect(streamId, events), expected);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.cipher.open(await this.inner.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.cipher.open(await this.inner.readAll(options));
  }

  subscribeToAll(handler: SubscriptionHandler, options?: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(async (events) => handler(await this.cipher.open(events)), options);
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
