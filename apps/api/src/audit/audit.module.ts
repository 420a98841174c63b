import { Module } from '@nestjs/common';
import { CaseHistoryService } from '../history/case-history.service';
import { AuditController } from './audit.controller';
import { CaseAsOfService } from './case-as-of.service';

/** Audit views (issue 6): history exports, as-of state and read-model row, log integrity. */
@Module({ controllers: [AuditController], providers: [CaseHistoryService, CaseAsOfService] })
export class AuditApiModule {}
