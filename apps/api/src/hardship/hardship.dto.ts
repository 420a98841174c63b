import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate, IsCalendarInstant } from '@hearth/platform';
import {
  ACCIDENT_KINDS,
  AID_KINDS,
  AccidentKind,
  AidKind,
  DISBURSEMENT_METHODS,
  DisbursementMethod,
  EXIT_REASONS,
  ExitReason,
  FUND_SOURCES,
  FundSource,
  HARDSHIP_CATEGORIES,
  HardshipCategory,
  OBJECTION_OUTCOMES,
  ObjectionOutcome,
} from '@hearth/domain';

/** Client-chosen ids of aids, objections and funds: short, URL-safe, no personal data. */
const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SLUG_MESSAGE = 'must be 1–64 characters: letters, digits, _ or -, starting with a letter or digit';
const MONEY = { maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false } as const;
const MAX_YUAN = 100_000_000;

export const HARDSHIP_STATUSES = [
  'Applied',
  'PreScreened',
  'HomeVisited',
  'ConsentSigned',
  'EconomicCheckDone',
  'PublicNotice',
  'Registered',
  'AnnualReview',
  'Exited',
  'Rejected',
  'Reopened',
] as const;

// ------------------------------------------------------------------------------------------------------
// Household data
// ------------------------------------------------------------------------------------------------------

export class RigidExpensesDto {
  @ApiPropertyOptional({ description: 'Monthly medical costs, yuan' }) @IsOptional() @IsNumber(MONEY) @Min(0) @Max(MAX_YUAN) medicalYuan?: number;
  @ApiPropertyOptional({ description: 'Monthly education costs, yuan' }) @IsOptional() @IsNumber(MONEY) @Min(0) @Max(MAX_YUAN) educationYuan?: number;
  @ApiPropertyOptional({ description: 'Monthly housing costs, yuan' }) @IsOptional() @IsNumber(MONEY) @Min(0) @Max(MAX_YUAN) housingYuan?: number;
  @ApiPropertyOptional({ description: 'Other rigid monthly costs, yuan' }) @IsOptional() @IsNumber(MONEY) @Min(0) @Max(MAX_YUAN) otherYuan?: number;
}

/** Non-personal household figures: what the category is computed from and what statistics may use. */
export class HouseholdStatsDto {
  @ApiProperty({ minimum: 1, example: 3 }) @IsInt() @Min(1) @Max(50) membersCount!: number;
  @ApiProperty({ description: 'Household income per month, yuan', example: 3000 }) @IsNumber(MONEY) @Min(0) @Max(MAX_YUAN) monthlyIncomeYuan!: number;
  @ApiProperty({ type: RigidExpensesDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => RigidExpensesDto) rigidExpenses!: RigidExpensesDto;
  @ApiPropertyOptional({ enum: ACCIDENT_KINDS }) @IsOptional() @IsIn(ACCIDENT_KINDS) accident?: AccidentKind;
  @ApiPropertyOptional({ description: "This year's hardship costs, yuan" }) @IsOptional() @IsNumber(MONEY) @Min(0) @Max(MAX_YUAN) yearlyHardshipCostsYuan?: number;
  @ApiPropertyOptional({ description: 'Household income over the year, yuan (default 12 × monthly)' })
  @IsOptional()
  @IsNumber(MONEY)
  @Min(0)
  @Max(MAX_YUAN)
  yearlyIncomeYuan?: number;
  @ApiProperty({ description: 'Migrant worker (农民工): needs the configured months of employment' }) @IsBoolean() migrantWorker!: boolean;
  @ApiProperty({ minimum: 0, description: 'Months employed with the current employer' }) @IsInt() @Min(0) @Max(1200) monthsEmployed!: number;
}

const ID_NUMBER = /^\d{17}[\dXx]$/;

export class HouseholdMemberDto {
  @ApiProperty() @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ example: 'spouse' }) @IsString() @Length(1, 30) relation!: string;
  @ApiProperty({ minimum: 0 }) @IsInt() @Min(0) @Max(150) age!: number;
  @ApiPropertyOptional() @IsOptional() @Matches(ID_NUMBER, { message: 'idNumber must be an 18-character resident ID number' }) idNumber?: string;
  @ApiPropertyOptional({ description: 'Sensitive (PIPL art. 28)' }) @IsOptional() @IsString() @MaxLength(2000) healthNotes?: string;
  @ApiPropertyOptional({ description: 'Sensitive (PIPL art. 28)' }) @IsOptional() @IsString() @MaxLength(2000) disabilityNotes?: string;
}

/** Personal data of the household: kept in the event's `personal` part only, never in read models or logs. */
export class HouseholdPersonalDto {
  @ApiProperty({ description: 'Head of household (real-name filing)' }) @IsString() @Length(1, 100) headName!: string;
  @ApiProperty({ description: "Head of household's resident ID number; its keyed hash is the file id" })
  @Matches(ID_NUMBER, { message: 'idNumber must be an 18-character resident ID number' })
  idNumber!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) address?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(60) bankAccount?: string;
  @ApiProperty({ type: [HouseholdMemberDto] })
  @ValidateNested({ each: true })
  @Type(() => HouseholdMemberDto)
  @ArrayMaxSize(50)
  members!: HouseholdMemberDto[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) employer?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) situation?: string;
}

// ------------------------------------------------------------------------------------------------------
// File commands
// ------------------------------------------------------------------------------------------------------

export class ApplyForHardshipFileDto {
  @ApiProperty({ description: 'The grassroots union (L4) the file is lodged with', example: 'east-s1-g1' }) @IsString() @Length(1, 100) orgUnit!: string;
  @ApiProperty({ type: HouseholdStatsDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => HouseholdStatsDto) stats!: HouseholdStatsDto;
  @ApiProperty({ type: HouseholdPersonalDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => HouseholdPersonalDto) personal!: HouseholdPersonalDto;
}

export class LookupFileDto {
  @ApiProperty({ description: "Head of household's resident ID number (sent in the body, never in a URL)" })
  @Matches(ID_NUMBER, { message: 'idNumber must be an 18-character resident ID number' })
  idNumber!: string;
}

export class NoteDto {
  @ApiPropertyOptional({ description: "Free text about the household: personal, kept only in the event's personal part" }) @IsOptional() @IsString() @MaxLength(5000) note?: string;
}

export class HomeVisitDto {
  @ApiProperty({ example: '2025-07-02' }) @IsCalendarDate() visitDate!: string;
  @ApiProperty({ type: [String], description: 'Staff who visited' })
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  visitors!: string[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(10000) findings?: string;
}

export class ConsentDto {
  @ApiProperty({ example: '2025-07-02' }) @IsCalendarDate() signedDate!: string;
  @ApiProperty({ type: [String], example: ['collect', 'verify_income', 'public_notice'] })
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  scopes!: string[];
  @ApiPropertyOptional({ description: 'Reference to the signed form (document store), not the form' }) @IsOptional() @IsString() @MaxLength(300) documentRef?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) signedByName?: string;
}

export class EconomicCheckDto {
  @ApiProperty({ type: HouseholdStatsDto, description: 'Verified figures; they replace the declared ones' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => HouseholdStatsDto)
  stats!: HouseholdStatsDto;
  @ApiProperty({ type: [String], example: ['civil_affairs', 'social_security'] })
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  sources!: string[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) note?: string;
}

export class PublicNoticeDto {
  @ApiPropertyOptional({ description: 'Notice period in days (configured range, default from the rule)', example: 7 }) @IsOptional() @IsInt() @Min(1) @Max(60) days?: number;
  @ApiPropertyOptional({ example: '厂务公开栏' }) @IsOptional() @IsString() @MaxLength(200) where?: string;
}

export class RaiseObjectionDto {
  @ApiPropertyOptional({ description: 'Client-chosen id; derived from the Idempotency-Key or random when absent' })
  @IsOptional()
  @Matches(SLUG, { message: `objectionId ${SLUG_MESSAGE}` })
  objectionId?: string;
  @ApiProperty() @IsString() @Length(1, 5000) content!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) objectorName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) objectorContact?: string;
}

export class ResolveObjectionDto {
  @ApiProperty({ enum: OBJECTION_OUTCOMES }) @IsIn(OBJECTION_OUTCOMES) outcome!: ObjectionOutcome;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) note?: string;
}

export class OverrideCategoryDto {
  @ApiProperty({ enum: HARDSHIP_CATEGORIES }) @IsIn(HARDSHIP_CATEGORIES) category!: HardshipCategory;
  @ApiProperty({ description: 'Why the computed category does not fit (required)' }) @IsString() @Length(1, 5000) reason!: string;
}

export class CompleteAnnualReviewDto {
  @ApiProperty({ type: HouseholdStatsDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => HouseholdStatsDto) stats!: HouseholdStatsDto;
  @ApiProperty({ enum: ['continue', 'exit'] }) @IsIn(['continue', 'exit']) outcome!: 'continue' | 'exit';
  @ApiPropertyOptional({ enum: EXIT_REASONS }) @IsOptional() @IsIn(EXIT_REASONS) exitReason?: ExitReason;
  @ApiPropertyOptional({ description: 'Consecutive months with income above the line (脱困)' }) @IsOptional() @IsInt() @Min(0) @Max(1200) monthsAboveLine?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) note?: string;
}

export class ExitFileDto {
  @ApiProperty({ enum: EXIT_REASONS }) @IsIn(EXIT_REASONS) reason!: ExitReason;
  @ApiPropertyOptional({ description: 'Consecutive months with income above the line (脱困)' }) @IsOptional() @IsInt() @Min(0) @Max(1200) monthsAboveLine?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) note?: string;
}

export class ReasonDto {
  @ApiProperty() @IsString() @Length(1, 5000) reason!: string;
}

// ------------------------------------------------------------------------------------------------------
// Aid measures
// ------------------------------------------------------------------------------------------------------

export class ProposeAidDto {
  @ApiPropertyOptional({ description: 'Client-chosen id; derived from the Idempotency-Key or random when absent' })
  @IsOptional()
  @Matches(SLUG, { message: `aidId ${SLUG_MESSAGE}` })
  aidId?: string;
  @ApiProperty({ enum: AID_KINDS }) @IsIn(AID_KINDS) kind!: AidKind;
  @ApiProperty({ description: 'Yuan (0 for services such as job referral)', example: 3000 }) @IsNumber(MONEY) @Min(0) @Max(MAX_YUAN) amountYuan!: number;
  @ApiPropertyOptional({ description: 'The fund a monetary aid draws on (required when amountYuan > 0)' })
  @IsOptional()
  @Matches(SLUG, { message: `fundId ${SLUG_MESSAGE}` })
  fundId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) note?: string;
}

export class DisburseAidDto {
  @ApiPropertyOptional({ enum: DISBURSEMENT_METHODS }) @IsOptional() @IsIn(DISBURSEMENT_METHODS) method?: DisbursementMethod;
  @ApiPropertyOptional({ description: 'Payment reference (voucher number), not an account number' }) @IsOptional() @IsString() @MaxLength(100) reference?: string;
}

export class AcknowledgeAidDto {
  @ApiPropertyOptional({ description: 'Reference to the signed receipt (签领单)' }) @IsOptional() @IsString() @MaxLength(100) receiptRef?: string;
}

// ------------------------------------------------------------------------------------------------------
// Funds
// ------------------------------------------------------------------------------------------------------

export class OpenFundDto {
  @ApiPropertyOptional({ description: 'Client-chosen id, e.g. east-2025-dues; derived from the Idempotency-Key or random when absent' })
  @IsOptional()
  @Matches(SLUG, { message: `fundId ${SLUG_MESSAGE}` })
  fundId?: string;
  @ApiProperty({ example: 2025 }) @IsInt() @Min(2000) @Max(2999) year!: number;
  @ApiProperty({ enum: FUND_SOURCES }) @IsIn(FUND_SOURCES) source!: FundSource;
  @ApiProperty({ example: 100000 }) @IsNumber(MONEY) @Min(0) @Max(10_000_000_000) budgetYuan!: number;
  @ApiProperty({ example: 'east' }) @IsString() @Length(1, 100) orgUnit!: string;
}

export class AdjustBudgetDto {
  @ApiProperty() @IsNumber(MONEY) @Min(0) @Max(10_000_000_000) budgetYuan!: number;
  @ApiProperty() @IsString() @Length(1, 2000) reason!: string;
}

// ------------------------------------------------------------------------------------------------------
// Queries
// ------------------------------------------------------------------------------------------------------

const SORTS = ['applied', 'due'] as const;
const ORDERS = ['asc', 'desc'] as const;

export class ListHardshipFilesQuery {
  @ApiPropertyOptional({ description: 'Root of the org subtree (default: your own unit)' }) @IsOptional() @IsString() @MaxLength(100) orgUnit?: string;
  @ApiPropertyOptional({ enum: HARDSHIP_STATUSES }) @IsOptional() @IsIn(HARDSHIP_STATUSES) status?: (typeof HARDSHIP_STATUSES)[number];
  @ApiPropertyOptional({ enum: HARDSHIP_CATEGORIES, description: 'Households on file under this category' })
  @IsOptional()
  @IsIn(HARDSHIP_CATEGORIES)
  category?: HardshipCategory;
  @ApiPropertyOptional({ description: 'Next deadline due before this instant' }) @IsOptional() @IsCalendarInstant() dueBefore?: string;
  @ApiPropertyOptional({ description: 'Next deadline already past (domain time)' }) @IsOptional() @IsIn(['true', 'false']) overdue?: 'true' | 'false';
  @ApiPropertyOptional({ enum: SORTS }) @IsOptional() @IsIn(SORTS) sort?: (typeof SORTS)[number];
  @ApiPropertyOptional({ enum: ORDERS }) @IsOptional() @IsIn(ORDERS) order?: (typeof ORDERS)[number];
  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class OrgUnitQuery {
  @ApiPropertyOptional({ description: 'Root of the org subtree (default: your own unit)' }) @IsOptional() @IsString() @MaxLength(100) orgUnit?: string;
}

export class ListFundsQuery extends OrgUnitQuery {
  @ApiPropertyOptional({ example: 2025 }) @IsOptional() @Type(() => Number) @IsInt() @Min(2000) @Max(2999) year?: number;
}

export class DisbursementResultDto {
  @ApiProperty() id!: string;
  @ApiProperty() aidId!: string;
  @ApiPropertyOptional({ description: 'The fund drawn on (absent for non-monetary aid)' }) fundId?: string;
  @ApiProperty({ description: 'Stream revision of the file after the disbursement' }) revision!: number;
  @ApiProperty({ type: [String] }) events!: string[];
  @ApiPropertyOptional({ type: [String], description: 'Events appended to the fund stream' }) fundEvents?: string[];
  @ApiProperty({ description: 'True when the whole disbursement had already been recorded by this request' }) replayed!: boolean;
}
