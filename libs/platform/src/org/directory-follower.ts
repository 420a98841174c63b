import { applyDirectoryEvent, DIRECTORY_EVENT_TYPES, DirectoryEvent, SIGN_IN_CATEGORY, SIGN_IN_EVENT_TYPES, SignInEvent, UNIT_CATEGORY, USER_CATEGORY } from '@hearth/domain';
import { SignInLedger } from '../auth/sign-in-ledger';
import type { EventStore, RecordedEvent, Subscription } from '@hearth/event-store';
import type { OrgRegistry } from './org-data';

const isDirectoryEvent = (e: RecordedEvent): boolean =>
  (e.streamId.startsWith(`${UNIT_CATEGORY}-`) || e.streamId.startsWith(`${USER_CATEGORY}-`)) && DIRECTORY_EVENT_TYPES.has(e.type);

/**
 * Keeps the in-memory directory of this process current: a subscription to the global log that folds the
 * `orgunit-*` and `user-*` events into the OrgRegistry (issue 14). The guard and the deciders read that memory, so a
 * request costs no round trip; a change made through any process shows here within a poll of the log.
 */
export class DirectoryFollower {
  private position = -1;
  private subscription?: Subscription;
  private readonly waiters: { position: number; resolve: () => void }[] = [];
  private readonly listeners = new Set<(userIds: string[]) => void>();
  /** Sign-ins, locks and revoked sessions (the `signin-*` streams), folded alongside. */
  readonly signIns = new SignInLedger();

  constructor(
    private readonly feed: EventStore,
    readonly registry: OrgRegistry,
  ) {}

  /** Starts following and resolves once the directory holds everything the log held at the call. */
  async start(): Promise<void> {
    const head = await this.feed.headPosition();
    this.subscription = this.feed.subscribeToAll(async (events) => this.apply(events), { batchSize: 1000 });
    void this.subscription.done.catch(() => undefined);
    await this.caughtUp(head);
  }

  /** Resolves when the directory has folded every event up to `position` (read-your-writes after a command). */
  caughtUp(position: number): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  /** Called with the ids of users whose access may have changed (disabled, moved, role changed). */
  onUsersChanged(listener: (userIds: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  private apply(events: RecordedEvent[]): Promise<void> {
    const changed: string[] = [];
    for (const e of events) {
      if (isDirectoryEvent(e)) {
        const event = { type: e.type, data: e.data } as DirectoryEvent;
        applyDirectoryEvent(this.registry.directory, event);
        if (event.type === 'UserDisabled' || event.type === 'UserMoved' || event.type === 'UserRoleChanged') changed.push(event.data.userId);
      } else if (e.streamId.startsWith(`${SIGN_IN_CATEGORY}-`) && SIGN_IN_EVENT_TYPES.has(e.type)) {
        this.signIns.apply({ type: e.type, data: e.data } as SignInEvent);
      }
      this.position = e.position;
    }
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].position <= this.position) this.waiters.splice(i, 1)[0].resolve();
    }
    if (changed.length) for (const l of this.listeners) l(changed);
    return Promise.resolve();
  }
}

export const DIRECTORY_FOLLOWER = Symbol('DIRECTORY_FOLLOWER');
