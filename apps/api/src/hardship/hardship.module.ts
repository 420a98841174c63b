import { Module } from '@nestjs/common';
import { CaseHistoryService } from '../history/case-history.service';
import { DisbursementService } from './disbursement.service';
import { FundsController } from './funds.controller';
import { HardshipFilesController } from './hardship-files.controller';

/** Hardship files, aid measures and funds over HTTP (the core, queries and auth come from the global modules). */
@Module({
  controllers: [HardshipFilesController, FundsController],
  providers: [DisbursementService, CaseHistoryService],
})
export class HardshipApiModule {}
