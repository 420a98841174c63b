import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate, IsCalendarInstant } from '@hearth/platform';
import {
  ANSWER_OUTCOMES,
  CLOSE_REASONS,
  PETITION_CATEGORIES,
  PETITION_CHANNELS,
  REVIEW_OUTCOMES,
  ROUTE_OUT_PROCEDURES,
  AnswerOutcome,
  CloseReason,
  PetitionCategory,
  PetitionChannel,
  Petitioner,
  ReviewOutcome,
  RouteOutProcedure,
} from '@hearth/domain';
import { splitContact } from '@hearth/event-store';

import { RouteToMediationDto } from '../mediation/mediation.dto';

export class PetitionerDto {
  @ApiProperty({ example: '张三' }) @IsString() @Length(1, 100) name!: string;
  @ApiPropertyOptional({ example: '13800000000' }) @IsOptional() @IsString() @MaxLength(100) phone?: string;
  @ApiPropertyOptional({ example: 'zhangsan@example.cn' }) @IsOptional() @IsEmail() @MaxLength(200) email?: string;
  @ApiPropertyOptional({ deprecated: true, description: 'Schema v1 free-text contact: still accepted, split into phone and email' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  contact?: string;
  @ApiPropertyOptional({ description: 'Resident ID number (personal data)' })
  @IsOptional()
  @Matches(/^\d{17}[\dXx]$/, { message: 'idNumber must be an 18-character resident ID number' })
  idNumber?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) address?: string;
}

/** The petitioner as the v2 event records it; a v1 `contact` is split the way the upcaster splits stored v1 events. */
export function petitionerOf(dto: PetitionerDto): Petitioner {
  const { contact, ...rest } = dto;
  const split = contact ? splitContact(contact) : {};
  const phone = rest.phone ?? split.phone;
  const email = rest.email ?? split.email;
  return { ...rest, ...(phone ? { phone } : {}), ...(email ? { email } : {}) };
}

export class RegisterPetitionDto {
  @ApiPropertyOptional({ description: 'Client-chosen id; derived from the Idempotency-Key or random when absent' })
  @IsOptional()
  @IsUUID()
  petitionId?: string;
  @ApiProperty({ example: 'east-s1-g1' }) @IsString() @Length(1, 100) orgUnit!: string;
  @ApiProperty({ enum: PETITION_CHANNELS }) @IsIn(PETITION_CHANNELS) channel!: PetitionChannel;
  @ApiProperty({ enum: PETITION_CATEGORIES }) @IsIn(PETITION_CATEGORIES) category!: PetitionCategory;
  @ApiProperty({ example: '拖欠工资' }) @IsString() @Length(1, 200) subject!: string;
  @ApiProperty() @IsString() @Length(1, 10000) facts!: string;
  @ApiProperty() @IsString() @Length(1, 5000) request!: string;
  @ApiProperty({ type: [PetitionerDto] })
  @ValidateNested({ each: true })
  @Type(() => PetitionerDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  petitioners!: PetitionerDto[];
  @ApiProperty({ minimum: 1, example: 1 }) @IsInt() @Min(1) @Max(100000) headcount!: number;
  @ApiProperty({ description: 'False when name or address is unknown (no written notice owed, art. 23)' }) @IsBoolean() identityKnown!: boolean;
  @ApiPropertyOptional({ description: '紧急: reported to the union above at once (art. 25)' }) @IsOptional() @IsBoolean() urgent?: boolean;
  @ApiPropertyOptional({ description: '重大: reported to the union above at once (art. 25)' }) @IsOptional() @IsBoolean() major?: boolean;
  @ApiPropertyOptional({
    description: 'Required for an accusation (检举控告): the accused org unit. Its users never see the petitioners (art. 46(5)); the case never goes to it',
    example: 'east-s1-g2',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  accusedOrgUnit?: string;
}

export class SuperviseDto {
  @ApiProperty({ example: '2026-12-31', description: 'Date by which the written reply is due' })
  @IsCalendarDate()
  dueDate!: string;
  @ApiProperty({ example: '请于期限内书面报告办理情况' }) @IsString() @Length(1, 2000) instructions!: string;
}

export class SupervisionReplyDto {
  @ApiProperty({ example: 'supervisionReply-1', description: 'The 督办 answered (its deadline id)' }) @IsString() @Length(1, 100) supervisionId!: string;
  @ApiProperty({ description: 'The written reply' }) @IsString() @Length(1, 10000) reply!: string;
}

export class NotifyReceiptDto {
  @ApiProperty({ example: 'sms' }) @IsString() @Length(1, 100) method!: string;
}

export class AcceptDto {
  @ApiProperty({ description: 'The head who signs the decision' }) @IsString() @Length(1, 100) signedBy!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class NotAcceptDto {
  @ApiProperty() @IsString() @Length(1, 100) signedBy!: string;
  @ApiProperty() @IsString() @Length(1, 2000) reason!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) legalBasis?: string;
}

export class RouteOutDto {
  @ApiProperty() @IsString() @Length(1, 100) signedBy!: string;
  @ApiProperty({ enum: ROUTE_OUT_PROCEDURES }) @IsIn(ROUTE_OUT_PROCEDURES) procedure!: RouteOutProcedure;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) target?: string;
  @ApiProperty() @IsString() @Length(1, 2000) reason!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) legalBasis?: string;
  @ApiPropertyOptional({
    type: RouteToMediationDto,
    description: 'Required for procedure `mediation` (only there): the application data of the linked mediation case Hearth opens',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RouteToMediationDto)
  mediation?: RouteToMediationDto;
}

export class TransferDto {
  @ApiProperty() @IsString() @Length(1, 100) toOrgUnit!: string;
  @ApiProperty() @IsString() @Length(1, 2000) reason!: string;
}

export class ObjectToTransferDto {
  @ApiProperty() @IsString() @Length(1, 2000) reasons!: string;
}

export class AssignDownDto {
  @ApiProperty() @IsString() @Length(1, 100) toOrgUnit!: string;
  @ApiProperty({ example: '2026-12-31' }) @IsCalendarDate() dueDate!: string;
  @ApiProperty() @IsString() @Length(1, 2000) instructions!: string;
}

export class CompletionReportDto {
  @ApiProperty() @IsString() @Length(1, 10000) report!: string;
}

export class AssignHandlerDto {
  @ApiProperty({ example: 'officer.east-s1-g1' }) @IsString() @Length(1, 100) officerId!: string;
}

export class RecordProgressDto {
  @ApiProperty() @IsString() @Length(1, 10000) note!: string;
  @ApiPropertyOptional({ type: [String], description: 'References to stored documents, not the documents' })
  @IsOptional()
  @IsString({ each: true })
  @ArrayMaxSize(50)
  attachments?: string[];
}

export class ExtendDto {
  @ApiProperty({ description: 'Sent to the petitioner' }) @IsString() @Length(1, 2000) reason!: string;
  @ApiProperty({ minimum: 1, maximum: 30 }) @IsInt() @Min(1) @Max(365) days!: number;
}

export class DraftAnswerDto {
  @ApiProperty({ enum: ANSWER_OUTCOMES }) @IsIn(ANSWER_OUTCOMES) outcome!: AnswerOutcome;
  @ApiProperty() @IsString() @Length(1, 10000) facts!: string;
  @ApiProperty({ example: '信访工作条例 art. 32' }) @IsString() @Length(1, 500) legalBasis!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(10000) mediationAgreement?: string;
}

export class ReasonsDto {
  @ApiProperty() @IsString() @Length(1, 5000) reasons!: string;
}

export class ReviewDecisionDto {
  @ApiProperty({ enum: REVIEW_OUTCOMES }) @IsIn(REVIEW_OUTCOMES) outcome!: ReviewOutcome;
  @ApiProperty() @IsString() @Length(1, 10000) facts!: string;
  @ApiProperty() @IsString() @Length(1, 500) legalBasis!: string;
}

export class CloseDto {
  @ApiProperty({ enum: CLOSE_REASONS }) @IsIn(CLOSE_REASONS) reason!: CloseReason;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

const SORTS = ['received', 'due'] as const;
const ORDERS = ['asc', 'desc'] as const;

export class ListPetitionsQuery {
  @ApiPropertyOptional({ description: 'Root of the org subtree (default: your own unit)' }) @IsOptional() @IsString() orgUnit?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() status?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() assignee?: string;
  @ApiPropertyOptional({ enum: PETITION_CHANNELS }) @IsOptional() @IsIn(PETITION_CHANNELS) channel?: PetitionChannel;
  @ApiPropertyOptional({ enum: PETITION_CATEGORIES }) @IsOptional() @IsIn(PETITION_CATEGORIES) category?: PetitionCategory;
  @ApiPropertyOptional({ description: 'Next deadline due before this instant' }) @IsOptional() @IsCalendarInstant() dueBefore?: string;
  @ApiPropertyOptional() @IsOptional() @IsIn(['true', 'false']) overdue?: 'true' | 'false';
  @ApiPropertyOptional({ enum: SORTS }) @IsOptional() @IsIn(SORTS) sort?: (typeof SORTS)[number];
  @ApiPropertyOptional({ enum: ORDERS }) @IsOptional() @IsIn(ORDERS) order?: (typeof ORDERS)[number];
  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class CommandResultDto {
  @ApiProperty() id!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ description: 'Stream revision after the command; send it as If-Match for optimistic concurrency' }) revision!: number;
  @ApiProperty() position!: number;
  @ApiProperty({ type: [String] }) events!: string[];
  @ApiProperty({ description: 'True when this Idempotency-Key was already applied' }) replayed!: boolean;
}
