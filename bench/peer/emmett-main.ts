/**
 * The peer: the same register-and-accept command path as Hearth's, written the Emmett way — Emmett's
 * CommandHandler (aggregate the stream, run the decision, append with the expected stream version) over
 * @event-driven-io/emmett-sqlite (WAL; SQLite's default synchronous=FULL, so every commit is fsynced as in Hearth) —
 * behind the same HTTP stack as Hearth: NestJS 11 + Fastify adapter + class-validator DTOs (Hearth's own), a JWT
 * bearer guard, and Hearth's pure petition decider. What it leaves out and Hearth does: idempotency keys and
 * retried commands, the repeat-petition lookup, read models, deadline timers, hash chaining.
 *
 * Emmett 0.38.5's `getSQLiteEventStore` opens and closes one shared connection around every call, so concurrent
 * requests fail ("SQLITE_MISUSE: Database handle is closed"; fixed upstream later with a single-writer pool,
 * event-driven-io/emmett#309). The store below is that same code path — Emmett's own `sqliteConnection`,
 * `readStream` and `appendToStream` — on long-lived connections: one writer whose write transactions are taken one
 * at a time (what the upstream fix does) and one reader, so reads never queue behind a commit (WAL).
 */
import 'reflect-metadata';
import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Module,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  assertExpectedVersionMatchesCurrent,
  CommandHandler,
  ExpectedVersionConflictError,
  NO_CONCURRENCY_CHECK,
  type Event,
  type EventStore,
  type ReadEventMetadataWithGlobalPosition,
} from '@event-driven-io/emmett';
import { appendToStream, createEventStoreSchema, readStream, sqliteConnection } from '@event-driven-io/emmett-sqlite';
import { createSecretKey, randomUUID } from 'node:crypto';
import { Actor, PetitionCommand, PetitionState, petitionDecider } from '@hearth/domain';
import { hearthValidationPipe } from '@hearth/platform';
import { AcceptDto, RegisterPetitionDto } from '../../apps/api/src/petitions/petition.dto';
import { contextFactory } from '../support/seed';

type PetitionEnvelope = Event<string, Record<string, unknown>, Record<string, unknown>>;

// The same key handling as Hearth's api (a KeyObject: see apps/api/src/api.module.ts).
const jwt = new JwtService({ secret: createSecretKey(Buffer.from(process.env.HEARTH_JWT_SECRET ?? '', 'utf8')), verifyOptions: { algorithms: ['HS256'] } });

interface Req {
  headers: Record<string, string | undefined>;
  actor?: Actor;
}

/** Bearer JWT, as Hearth's guard: verify, take user/role/org from the claims. */
@Injectable()
class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Req & { url?: string }>();
    if (req.url?.startsWith('/health')) return true;
    const h = req.headers.authorization;
    if (!h?.startsWith('Bearer ')) throw new UnauthorizedException({ code: 'TOKEN_MISSING' });
    try {
      const c = jwt.verify<{ sub: string; role: Actor['role']; org: string }>(h.slice(7));
      req.actor = { id: c.sub, role: c.role, orgUnit: c.org };
    } catch {
      throw new UnauthorizedException({ code: 'TOKEN_INVALID' });
    }
    return true;
  }
}

const STORE = Symbol('STORE');
type PeerStore = EventStore<ReadEventMetadataWithGlobalPosition>;

/** Emmett's SQLite event store functions on a writer and a reader connection; one write transaction at a time. */
async function emmettSqliteStore(fileName: string): Promise<PeerStore> {
  const conn = sqliteConnection({ fileName });
  await createEventStoreSchema(conn);
  const reader = sqliteConnection({ fileName });
  const mode = await conn.querySingle<{ journal_mode: string }>('PRAGMA journal_mode');
  const sync = await conn.querySingle<{ synchronous: number }>('PRAGMA synchronous');
  console.log(`peer store: journal_mode=${mode?.journal_mode} synchronous=${sync?.synchronous} (2 = FULL)`);
  let writes: Promise<unknown> = Promise.resolve();
  const oneWriter = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = writes.then(fn);
    writes = run.catch(() => undefined);
    return run;
  };
  const store = {
    async aggregateStream(streamName: string, options: { evolve: (s: unknown, e: unknown) => unknown; initialState: () => unknown; read?: { expectedStreamVersion?: bigint } }) {
      const result = await readStream(reader, streamName, options.read as never);
      assertExpectedVersionMatchesCurrent(result.currentStreamVersion, options.read?.expectedStreamVersion, 0n);
      let state = options.initialState();
      for (const e of result.events) if (e) state = options.evolve(state, e);
      return { currentStreamVersion: result.currentStreamVersion, state, streamExists: result.streamExists };
    },
    readStream: (streamName: string, options?: unknown) => readStream(reader, streamName, options as never),
    async appendToStream(streamName: string, events: Event[], options?: { expectedStreamVersion?: bigint }) {
      const [type] = streamName.split('-');
      const r = await oneWriter(() => appendToStream(conn, streamName, type, events, options as never));
      if (!r.success) throw new ExpectedVersionConflictError(-1n, options?.expectedStreamVersion ?? NO_CONCURRENCY_CHECK);
      return { nextExpectedStreamVersion: r.nextStreamPosition, lastEventGlobalPosition: r.lastGlobalPosition, createdNewStream: r.nextStreamPosition >= BigInt(events.length) };
    },
  };
  return store as unknown as PeerStore;
}
const contextFor = contextFactory();
const handle = CommandHandler<PetitionState, PetitionEnvelope>({
  evolve: (state, e) => petitionDecider.evolve(state, { type: e.type, data: e.data } as never),
  initialState: () => petitionDecider.initialState,
});

@Controller()
class PeerController {
  constructor(@Inject(STORE) private readonly store: PeerStore) {}

  private async run(id: string, command: PetitionCommand, actor: Actor) {
    const now = new Date().toISOString();
    const commandId = randomUUID();
    const result = await handle(this.store, `petition-${id}`, (state) =>
      petitionDecider.decide(command, state, contextFor(actor, now)).map((e) => ({
        type: e.type,
        data: e.data as Record<string, unknown>,
        metadata: { actorId: actor.id, role: actor.role, orgUnit: actor.orgUnit, occurredAt: now, commandId, correlationId: commandId, causationId: commandId },
      })),
    );
    return { id, revision: Number(result.nextExpectedStreamVersion), events: result.newEvents.map((e) => e.type) };
  }

  @Post('petitions')
  @HttpCode(201)
  register(@Body() dto: RegisterPetitionDto, @Req() req: Req) {
    if (!['intake', 'officer', 'head'].includes(req.actor!.role)) throw new ForbiddenException({ code: 'ROLE_NOT_ALLOWED' });
    const id = randomUUID();
    const { petitionId: _ignored, ...data } = dto;
    return this.run(id, { type: 'RegisterPetition', petitionId: id, ...data, petitioners: data.petitioners.map((p) => ({ ...p })) } as PetitionCommand, req.actor!);
  }

  @Post('petitions/:id/acceptance')
  @HttpCode(200)
  accept(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AcceptDto, @Req() req: Req) {
    return this.run(id, { type: 'AcceptPetition', ...dto }, req.actor!);
  }

  /** The Nest floor: the same stack and DTO validation, no store (bench figure "nestFloor"). */
  @Post('floor')
  @HttpCode(201)
  floor(@Body() dto: RegisterPetitionDto) {
    return { id: randomUUID(), orgUnit: dto.orgUnit, revision: 1, events: ['PetitionRegistered'] };
  }

  @Get('health')
  health() {
    return { status: 'ok' };
  }
}

async function main(): Promise<void> {
  const store = await emmettSqliteStore(process.env.PEER_SQLITE_FILE!);
  @Module({ controllers: [PeerController], providers: [{ provide: STORE, useValue: store }, { provide: APP_GUARD, useClass: BearerGuard }] })
  class PeerModule {}
  const app = await NestFactory.create<NestFastifyApplication>(PeerModule, new FastifyAdapter({ bodyLimit: 1_048_576 }), { logger: ['error', 'warn'] });
  app.useGlobalPipes(hearthValidationPipe());
  await app.listen(Number(process.env.PORT), '127.0.0.1');
}

void main();
