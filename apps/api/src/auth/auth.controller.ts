import { Body, Controller, HttpCode, HttpException, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@hearth/platform';
import { SignInDto } from './auth.dto';
import { clearedSessionCookie, sessionCookie, sessionFrom } from './session-cookie';
import { SignInService } from './sign-in.service';

/** TLS at Hearth or at a proxy in front of it: then the cookie is Secure. */
const overTls = (req: FastifyRequest): boolean => req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https';

/** Sign-in for people (issue 14): a short-lived bearer token in the answer, the session in an httpOnly cookie. */
@ApiTags('auth')
@Controller('auth')
@Public()
export class AuthController {
  constructor(private readonly signIns: SignInService) {}

  @Post('sign-in')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: { accessToken, expiresAt, user } and the session cookie; 401 SIGN_IN_FAILED; 429 SIGN_IN_LOCKED with Retry-After' })
  async signIn(@Body() body: SignInDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    try {
      const { session, ...answer } = await this.signIns.signIn(body.username, body.password, req.ip);
      res.header('set-cookie', sessionCookie(session, overTls(req)));
      return answer;
    } catch (e) {
      const retryAfter = e instanceof HttpException ? (e.getResponse() as { retryAfter?: number }).retryAfter : undefined;
      if (retryAfter) res.header('retry-after', String(retryAfter));
      throw e;
    }
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new short-lived access token for the session cookie; 401 SESSION_INVALID' })
  refresh(@Req() req: FastifyRequest) {
    return this.signIns.refresh(sessionFrom(req.headers.cookie));
  }

  @Post('sign-out')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke the session: its cookie and every access token issued for it stop working' })
  async signOut(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<void> {
    await this.signIns.signOut(sessionFrom(req.headers.cookie));
    res.header('set-cookie', clearedSessionCookie(overTls(req)));
  }
}
