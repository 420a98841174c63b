import { ADDRESS_LOCK_FAILURES, LOCK_WINDOW_MS, lockedUntil, SignInEvent } from '@hearth/domain';

/**
 * What the sign-in streams say now, folded in memory by the DirectoryFollower: recent failures per account and per
 * client address, account locks, revoked sessions. The same in every process within a poll of the log.
 */
export class SignInLedger {
  private readonly byAddress = new Map<string, number[]>();
  private readonly accountLocks = new Map<string, number>();
  private readonly revoked = new Set<string>();

  apply(event: SignInEvent): void {
    switch (event.type) {
      case 'SignInFailed': {
        const t = Date.parse(event.data.at);
        const list = (this.byAddress.get(event.data.address) ?? []).filter((x) => t - x < LOCK_WINDOW_MS);
        list.push(t);
        this.byAddress.set(event.data.address, list);
        return;
      }
      case 'AccountLocked':
        this.accountLocks.set(event.data.userId, Date.parse(event.data.until));
        return;
      case 'SignInSucceeded':
        this.accountLocks.delete(event.data.userId);
        return;
      case 'SessionRevoked':
        this.revoked.add(event.data.sessionId);
        return;
    }
  }

  /** Until when (ms) the account or the address is locked at `now`, if it is. */
  lockedUntil(userId: string | undefined, address: string, now: number): number | undefined {
    const account = userId ? this.accountLocks.get(userId) : undefined;
    const byAddress = lockedUntil(this.byAddress.get(address) ?? [], now, ADDRESS_LOCK_FAILURES);
    const until = Math.max(account && account > now ? account : 0, byAddress ?? 0);
    return until > now ? until : undefined;
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }
}
