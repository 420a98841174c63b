import { createSecretKey } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { LoggerModule } from 'nestjs-pino';
import { configFromEnv, HearthCoreModule, JwtAuthGuard, ReadModelQueriesModule, requestLogOptions, WorkerModule } from '@hearth/platform';
import { PetitionsController } from './petitions/petitions.controller';
import { PetitionRegistration } from './petitions/petition-registration.service';
import { MediationsController } from './mediation/mediations.controller';
import { AlertsController } from './alerts/alerts.controller';
import { AlertStream } from './alerts/alert-stream.service';
import { AdminController } from './admin/admin.controller';
import { CalendarsController } from './admin/calendars.controller';
import { DirectoryController } from './directory/directory.controller';
import { AuthController } from './auth/auth.controller';
import { SignInService } from './auth/sign-in.service';
import { OperationsModule } from './health/operations.module';
import { CaseHistoryService } from './history/case-history.service';
import { HardshipApiModule } from './hardship/hardship.module';
import { PrivacyApiModule } from './privacy/privacy.module';
import { AuditApiModule } from './audit/audit.module';

@Module({})
export class ApiModule {
  /** The api; with HEARTH_EMBEDDED_WORKER (default on) the worker's subscriptions and timers run in-process too. */
  static register(): DynamicModule {
    const config = configFromEnv();
    return {
      module: ApiModule,
      imports: [
        // Request bodies carry personal data and URLs may carry tokens: neither is logged, at any level.
        LoggerModule.forRoot({ pinoHttp: requestLogOptions(config.logLevel) }),
        HearthCoreModule,
        // A KeyObject, not the string: jsonwebtoken tries to parse a string secret as a PEM public key on every verify
        // (a fifth of the api's CPU under load, see bench/results/profile-latest.txt).
        JwtModule.register({
          secret: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')),
          signOptions: { algorithm: 'HS256', expiresIn: config.jwtTtl as never },
          verifyOptions: { algorithms: ['HS256'] },
        }),
        ReadModelQueriesModule,
        HardshipApiModule,
        PrivacyApiModule,
        AuditApiModule,
        OperationsModule,
        ...(config.embeddedWorker ? [WorkerModule] : []),
      ],
      controllers: [PetitionsController, MediationsController, AlertsController, AdminController, CalendarsController, DirectoryController, AuthController],
      providers: [CaseHistoryService, AlertStream, PetitionRegistration, SignInService, { provide: APP_GUARD, useClass: JwtAuthGuard }],
    };
  }
}
