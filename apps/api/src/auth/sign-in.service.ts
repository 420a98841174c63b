import { HttpException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { DirectoryUser, UNKNOWN_ACCOUNT } from '@hearth/domain';
import { CLOCK, Clock, decoyHash, DIRECTORY_FOLLOWER, DirectoryFollower, HandleSignInCommand, verifyPassword } from '@hearth/platform';
import { ACCESS_TTL_SECONDS, SESSION_TTL_SECONDS } from './session-cookie';

export interface SignedIn {
  accessToken: string;
  expiresAt: string;
  user: { id: string; name: string; role: string; orgUnit: string };
  /** The session cookie's value (a signed refresh token naming the session). */
  session: string;
}

interface RefreshClaims {
  sub: string;
  sid: string;
  typ: 'refresh';
}

const failed = () => new UnauthorizedException({ code: 'SIGN_IN_FAILED', message: '用户名或密码错误' });

/**
 * Sign-in, refresh and sign-out (issue 14). The directory and the ledger of sign-ins are in memory (followed from the
 * log); every attempt is recorded on the account's `signin-*` stream for auditors. An unknown username costs the same
 * argon2 verification as a wrong password and gets the same answer.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly commands: CommandBus,
    private readonly jwt: JwtService,
    @Inject(DIRECTORY_FOLLOWER) private readonly directory: DirectoryFollower,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async signIn(username: string, password: string, address: string): Promise<SignedIn> {
    // Domain time, as the sign-in decider records failures and locks with it.
    const now = this.clock.now().getTime();
    const user = this.directory.registry.directory.userByUsername(username);
    this.refuseIfLocked(user?.id, address, now);
    const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await decoyHash(), password), false);
    if (!user || !ok || !user.active) {
      await this.record({ type: 'RecordSignInFailure', account: user?.id ?? UNKNOWN_ACCOUNT, username, address });
      throw failed();
    }
    const sessionId = randomUUID();
    await this.record({ type: 'RecordSignIn', account: user.id, sessionId, address });
    const session = this.jwt.sign({ sub: user.id, sid: sessionId, typ: 'refresh' } satisfies RefreshClaims, { expiresIn: SESSION_TTL_SECONDS });
    return { ...this.accessFor(user, sessionId), session };
  }

  /** A new access token for the session of the cookie, with the user's current role and unit. */
  refresh(session: string | undefined): Omit<SignedIn, 'session'> {
    const claims = this.sessionClaims(session);
    const user = this.directory.registry.user(claims.sub);
    if (!user || !user.active) throw new UnauthorizedException({ code: 'SESSION_INVALID', message: '会话已失效，请重新登录' });
    return this.accessFor(user, claims.sid);
  }

  async signOut(session: string | undefined): Promise<void> {
    let claims: RefreshClaims;
    try {
      claims = this.sessionClaims(session);
    } catch {
      return; // nothing to revoke: signing out twice is not an error
    }
    await this.record({ type: 'RevokeSession', account: claims.sub, sessionId: claims.sid });
  }

  private sessionClaims(session: string | undefined): RefreshClaims {
    let claims: RefreshClaims | undefined;
    try {
      claims = session ? this.jwt.verify<RefreshClaims>(session) : undefined;
    } catch {
      claims = undefined;
    }
    if (!claims || claims.typ !== 'refresh' || !claims.sid || this.directory.signIns.isRevoked(claims.sid))
      throw new UnauthorizedException({ code: 'SESSION_INVALID', message: '会话已失效，请重新登录' });
    return claims;
  }

  private accessFor(user: DirectoryUser, sid: string): Omit<SignedIn, 'session'> {
    const accessToken = this.jwt.sign({ sub: user.id, role: user.role, org: user.orgUnit, name: user.name, sid }, { expiresIn: ACCESS_TTL_SECONDS });
    const expiresAt = new Date(Date.now() + ACCESS_TTL_SECONDS * 1000).toISOString();
    return { accessToken, expiresAt, user: { id: user.id, name: user.name, role: user.role, orgUnit: user.orgUnit } };
  }

  /** 429 with Retry-After (seconds) while the account or the address is locked. */
  private refuseIfLocked(userId: string | undefined, address: string, now: number): void {
    const until = this.directory.signIns.lockedUntil(userId, address, now);
    if (until === undefined) return;
    const retryAfter = Math.max(1, Math.ceil((until - now) / 1000 / this.clock.speed));
    throw new HttpException({ code: 'SIGN_IN_LOCKED', message: `登录失败次数过多，请 ${Math.ceil(retryAfter / 60)} 分钟后再试`, retryAfter }, 429);
  }

  private async record(command: HandleSignInCommand['command']): Promise<void> {
    await this.commands.execute(new HandleSignInCommand(command, randomUUID()));
  }
}
