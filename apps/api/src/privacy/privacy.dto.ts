import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { ERASURE_LEGAL_BASIS, ERASURE_REASONS, ErasureReason } from '@hearth/domain';

export { ERASURE_LEGAL_BASIS, ERASURE_REASONS };
export type { ErasureReason };

/** A case stream with personal data: `petition-<id>`, `mediation-<id>` or `hardship-<id>`. */
export const CASE_STREAM = /^(petition|mediation|hardship)-[0-9A-Za-z][0-9A-Za-z_-]{0,99}$/;

export class SubjectsOfCaseQuery {
  @ApiProperty({ example: 'petition-8f3c0c9e-2d1b-4c7a-9a53-2f2a4d7e8b11', description: 'The case stream whose subjects to list' })
  @Matches(CASE_STREAM, { message: 'caseStream must be petition-<id>, mediation-<id> or hardship-<id>' })
  caseStream!: string;
}

export class EraseSubjectDto {
  @ApiProperty({ enum: ERASURE_REASONS, description: 'retention_end: the retention period of every case of the subject has ended (erased at once); data_subject_request: a valid deletion request (PIPL art. 47), erased once a second person approves' })
  @IsIn(ERASURE_REASONS)
  reason!: ErasureReason;
  @ApiPropertyOptional({ example: 'PIPL-REQ-2025-0012', description: 'Reference of the request or retention decision (no personal data)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_./:-]{0,99}$/, { message: 'reference must be 1–100 letters, digits or _ . / : -' })
  reference?: string;
}

export class ApproveErasureDto {
  @ApiProperty({ format: 'uuid', description: 'The requestId the erasure request answered with' })
  @IsUUID('all', { message: 'requestId must be the requestId of a waiting erasure request' })
  requestId!: string;
}

export class DeclineErasureDto {
  @ApiProperty({ format: 'uuid', description: 'The requestId the erasure request answered with' })
  @IsUUID('all', { message: 'requestId must be the requestId of a waiting erasure request' })
  requestId!: string;
  @ApiProperty({ example: '申请人身份无法核实', description: 'Why the request is withdrawn or declined (recorded in the log; no personal data)' })
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class RevealDto {
  @ApiProperty({ example: '2025 年度信访档案审计抽查', description: 'Why the auditor needs the plaintext (recorded in the log)' })
  @IsString()
  @Length(1, 500)
  reason!: string;
  @ApiPropertyOptional({ description: 'Reveal only what this case holds of the subject' })
  @IsOptional()
  @Matches(CASE_STREAM, { message: 'caseStream must be petition-<id>, mediation-<id> or hardship-<id>' })
  caseStream?: string;
}

export class LookupSubjectDto {
  @ApiProperty({ description: 'Resident ID number of the person (in the body, never in a URL); matched by keyed hash' })
  @Matches(/^\d{17}[\dXx]$/, { message: 'idNumber must be an 18-character resident ID number' })
  idNumber!: string;
}
