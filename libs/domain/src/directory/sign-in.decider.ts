import type { Decider, DecisionContext, DomainEvent } from '../common/decider';
import { forbidden } from '../common/domain-error';

/**
 * Sign-ins as auditors see them (who, when, from which address), one stream per account: `signin-<userId>`, and
 * `signin-unknown` for usernames nobody holds. 等保 2.0 (GB/T 22239-2019 8.1.4.1 b) asks for a lock after repeated
 * failures: 5 failures within 15 minutes lock the account (and, counted by the edge, the address) for 15 minutes.
 */
export const SIGN_IN_CATEGORY = 'signin';
export const UNKNOWN_ACCOUNT = 'unknown';
export const LOCK_FAILURES = 5;
export const LOCK_WINDOW_MS = 15 * 60_000;
/** A client address (an office behind one NAT address holds many accounts) is locked after more failures. */
export const ADDRESS_LOCK_FAILURES = 20;

export type SignInSucceeded = DomainEvent<'SignInSucceeded', { userId: string; sessionId: string; address: string; at: string }>;
export type SignInFailed = DomainEvent<'SignInFailed', { userId?: string; username: string; address: string; at: string }>;
export type AccountLocked = DomainEvent<'AccountLocked', { userId: string; address: string; at: string; until: string }>;
export type SessionRevoked = DomainEvent<'SessionRevoked', { userId: string; sessionId: string; at: string }>;
export type SignInEvent = SignInSucceeded | SignInFailed | AccountLocked | SessionRevoked;
export const SIGN_IN_EVENT_TYPES: ReadonlySet<string> = new Set(['SignInSucceeded', 'SignInFailed', 'AccountLocked', 'SessionRevoked']);

export type SignInCommand =
  | { type: 'RecordSignIn'; account: string; sessionId: string; address: string }
  | { type: 'RecordSignInFailure'; account: string; username: string; address: string }
  | { type: 'RevokeSession'; account: string; sessionId: string };

export interface SignInState {
  /** Failure instants (ms) within the last window, oldest first. */
  failures: number[];
}

/** Until when failures at these instants lock (ms), or undefined: `threshold` of them within LOCK_WINDOW_MS of now. */
export function lockedUntil(failures: readonly number[], now: number, threshold = LOCK_FAILURES): number | undefined {
  const recent = failures.filter((t) => t <= now && now - t < LOCK_WINDOW_MS);
  if (recent.length < threshold) return undefined;
  return Math.max(...recent) + LOCK_WINDOW_MS;
}

function evolve(state: SignInState, event: SignInEvent): SignInState {
  switch (event.type) {
    case 'SignInFailed':
      return { failures: [...state.failures.slice(-(LOCK_FAILURES * 4)), Date.parse(event.data.at)] };
    case 'SignInSucceeded':
      return { failures: [] };
    default:
      return state;
  }
}

function decide(command: SignInCommand, state: SignInState, ctx: DecisionContext): SignInEvent[] {
  if (ctx.actor.role !== 'system' && command.type !== 'RevokeSession') throw forbidden('ROLE_NOT_ALLOWED', '只有系统记录登录');
  const at = new Date(ctx.now).toISOString();
  switch (command.type) {
    case 'RecordSignIn':
      return [{ type: 'SignInSucceeded', data: { userId: command.account, sessionId: command.sessionId, address: command.address, at } }];
    case 'RecordSignInFailure': {
      const failed: SignInFailed = {
        type: 'SignInFailed',
        data: { ...(command.account !== UNKNOWN_ACCOUNT ? { userId: command.account } : {}), username: command.username, address: command.address, at },
      };
      const until = command.account === UNKNOWN_ACCOUNT ? undefined : lockedUntil([...state.failures, Date.parse(at)], Date.parse(at));
      if (until === undefined) return [failed];
      return [failed, { type: 'AccountLocked', data: { userId: command.account, address: command.address, at, until: new Date(until).toISOString() } }];
    }
    case 'RevokeSession':
      return [{ type: 'SessionRevoked', data: { userId: command.account, sessionId: command.sessionId, at } }];
  }
}

export const signInDecider: Decider<SignInCommand, SignInEvent, SignInState> = {
  category: SIGN_IN_CATEGORY,
  initialState: { failures: [] },
  evolve,
  decide,
};
