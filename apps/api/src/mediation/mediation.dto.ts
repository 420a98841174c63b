import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
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
import { IsCalendarDate, IsCalendarInstant, IsCalendarMonth } from '@hearth/platform';
import {
  AGREEMENT_PARTIES,
  APPLICATION_FORMS,
  CLAIM_TYPES,
  FAILURE_REASONS,
  MEDIATION_STATUSES,
  OBLIGATION_SIDES,
  AgreementParty,
  ApplicationForm,
  ClaimType,
  MediationStatus,
  ObligationSide,
} from '@hearth/domain';

const CLIENT_ID = /^[A-Za-z0-9_.-]{1,64}$/;
/** Yuan with at most two decimals (fen); the decider checks the same. */
const YUAN = { maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false } as const;
const MAX_YUAN = 1_000_000_000;

// ---------------------------------------------------------------- parts of an application

export class MediationWorkerDto {
  @ApiProperty({ example: 'w1', description: 'Client-chosen id within the case (representatives, legal aid, signatures refer to it)' })
  @Matches(CLIENT_ID, { message: 'workerId is 1–64 letters, digits, _ . -' })
  workerId!: string;
  @ApiProperty({ example: '李四', description: 'Personal data' }) @IsString() @Length(1, 100) name!: string;
  @ApiPropertyOptional({ description: 'Resident ID number (personal data)' })
  @IsOptional()
  @Matches(/^\d{17}[\dXx]$/, { message: 'idNumber must be an 18-character resident ID number' })
  idNumber?: string;
  @ApiPropertyOptional({ description: 'Personal data' }) @IsOptional() @IsString() @MaxLength(50) phone?: string;
  @ApiProperty({ description: '农民工 (statistics; legal aid without means test for wage claims)' }) @IsBoolean() migrantWorker!: boolean;
}

export class EmployerDto {
  @ApiProperty({ example: '某建筑工程有限公司' }) @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional({ description: '统一社会信用代码 (18 characters)' })
  @IsOptional()
  @Matches(/^[0-9A-Z]{18}$/, { message: 'creditCode must be an 18-character unified social credit code' })
  creditCode?: string;
}

export class ClaimDto {
  @ApiProperty({ enum: CLAIM_TYPES }) @IsIn(CLAIM_TYPES) type!: ClaimType;
  @ApiProperty({ example: 36000, description: 'Yuan, at most two decimals' }) @IsNumber(YUAN) @Min(0) @Max(MAX_YUAN) amountYuan!: number;
}

/** `POST /mediations` — ApplyForMediation (LDMAL art. 12). */
export class ApplyForMediationDto {
  @ApiPropertyOptional({ description: 'Client-chosen id; derived from the Idempotency-Key or random when absent' })
  @IsOptional()
  @IsUUID()
  mediationId?: string;
  @ApiProperty({ example: 'east-s1-g1' }) @IsString() @Length(1, 100) orgUnit!: string;
  @ApiProperty({ enum: APPLICATION_FORMS, description: 'oral: recorded on the spot (art. 12)' }) @IsIn(APPLICATION_FORMS) form!: ApplicationForm;
  @ApiProperty({ type: [MediationWorkerDto] })
  @ValidateNested({ each: true })
  @Type(() => MediationWorkerDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  workers!: MediationWorkerDto[];
  @ApiProperty({ type: EmployerDto }) @IsObject() @ValidateNested() @Type(() => EmployerDto) employer!: EmployerDto;
  @ApiProperty({ description: 'Facts as stated (personal data)' }) @IsString() @Length(1, 10000) facts!: string;
  @ApiProperty({ type: [ClaimDto] })
  @ValidateNested({ each: true })
  @Type(() => ClaimDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  claims!: ClaimDto[];
  @ApiProperty({ minimum: 1, description: 'Workers on the applying side (may exceed the workers named)' }) @IsInt() @Min(1) @Max(100000) headcount!: number;
  @ApiProperty({ description: 'The workers share a common claim (≥10 with a common claim = collective, art. 7)' }) @IsBoolean() commonClaim!: boolean;
  @ApiPropertyOptional({ type: [String], description: 'Worker ids of the elected representatives' })
  @IsOptional()
  @Matches(CLIENT_ID, { each: true, message: 'each representative is a workerId' })
  @ArrayMaxSize(20)
  representatives?: string[];
  @ApiProperty({ example: '2025-08-31', description: 'The day the dispute arose (arbitration limitation, art. 27)' })
  @IsCalendarDate()
  disputeDate!: string;
}

/** The application data a petition routed out to mediation carries (see `RouteOutDto.mediation`). */
export class RouteToMediationDto {
  @ApiProperty({ type: EmployerDto }) @IsObject() @ValidateNested() @Type(() => EmployerDto) employer!: EmployerDto;
  @ApiProperty({ type: [ClaimDto] })
  @ValidateNested({ each: true })
  @Type(() => ClaimDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  claims!: ClaimDto[];
  @ApiProperty({ example: '2025-08-31' }) @IsCalendarDate() disputeDate!: string;
  @ApiProperty({ type: [MediationWorkerDto] })
  @ValidateNested({ each: true })
  @Type(() => MediationWorkerDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  workers!: MediationWorkerDto[];
  @ApiPropertyOptional({ description: 'Default: the petition headcount, at least the workers named' }) @IsOptional() @IsInt() @Min(1) @Max(100000) headcount?: number;
  @ApiPropertyOptional({ description: 'Default false' }) @IsOptional() @IsBoolean() commonClaim?: boolean;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @Matches(CLIENT_ID, { each: true, message: 'each representative is a workerId' })
  @ArrayMaxSize(20)
  representatives?: string[];
  @ApiPropertyOptional({ enum: APPLICATION_FORMS, description: 'Default written (the petition file)' }) @IsOptional() @IsIn(APPLICATION_FORMS) form?: ApplicationForm;
}

// ---------------------------------------------------------------- the other commands

export class RejectApplicationDto {
  @ApiProperty({ description: 'Written reason given to the applicant' }) @IsString() @Length(1, 2000) reason!: string;
}

export class AssignMediatorDto {
  @ApiProperty({ example: 'mediator.east-s1' }) @IsString() @Length(1, 100) mediatorId!: string;
}

export class ScheduleSessionDto {
  @ApiProperty({ example: '2025-11-05T09:30:00+08:00' }) @IsCalendarInstant() at!: string;
  @ApiProperty({ example: '街道调解室' }) @IsString() @Length(1, 300) place!: string;
}

export class SessionHeldDto {
  @ApiPropertyOptional({ description: 'Outcome notes (may hold personal data)' }) @IsOptional() @IsString() @MaxLength(10000) notes?: string;
}

export class ConsentDto {
  @ApiPropertyOptional({ description: 'When the worker side consented (ISO instant)' }) @IsOptional() @IsCalendarInstant() workerConsentRecordedAt?: string;
  @ApiPropertyOptional({ description: 'When the employer consented (ISO instant)' }) @IsOptional() @IsCalendarInstant() employerConsentRecordedAt?: string;
}

export class ExtendMediationPeriodDto {
  @ApiProperty({ minimum: 1, example: 10 }) @IsInt() @Min(1) @Max(365) days!: number;
  @ApiPropertyOptional({ type: ConsentDto, description: 'Both parties’ recorded consent (required by the rule)' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConsentDto)
  consent?: ConsentDto;
}

export class ObligationDto {
  @ApiProperty({ example: 'o1' }) @Matches(CLIENT_ID, { message: 'obligationId is 1–64 letters, digits, _ . -' }) obligationId!: string;
  @ApiProperty({ enum: OBLIGATION_SIDES }) @IsIn(OBLIGATION_SIDES) payer!: ObligationSide;
  @ApiProperty({ enum: OBLIGATION_SIDES }) @IsIn(OBLIGATION_SIDES) payee!: ObligationSide;
  @ApiProperty({ example: '支付拖欠工资' }) @IsString() @Length(1, 2000) description!: string;
  @ApiProperty({ example: 120000 }) @IsNumber(YUAN) @Min(0) @Max(MAX_YUAN) amountYuan!: number;
  @ApiProperty({ example: '2025-11-20', description: 'A deadline on the escalation ladder' }) @IsCalendarDate() dueDate!: string;
  @ApiProperty({ enum: CLAIM_TYPES }) @IsIn(CLAIM_TYPES) claimType!: ClaimType;
  @ApiPropertyOptional({ description: 'For injury: the amount is 工伤医疗费 (payment order, art. 16)' }) @IsOptional() @IsBoolean() injuryMedicalCosts?: boolean;
}

export class RecordAgreementDto {
  @ApiProperty({ type: [ObligationDto] })
  @ValidateNested({ each: true })
  @Type(() => ObligationDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  obligations!: ObligationDto[];
}

export class SignAgreementDto {
  @ApiProperty({ enum: AGREEMENT_PARTIES }) @IsIn(AGREEMENT_PARTIES) party!: AgreementParty;
  @ApiPropertyOptional({ description: 'Who signed (a workerId for the worker side)' }) @IsOptional() @IsString() @Length(1, 100) signatoryId?: string;
}

export class RecordMediationFailedDto {
  @ApiProperty({ enum: FAILURE_REASONS }) @IsIn(FAILURE_REASONS) reason!: (typeof FAILURE_REASONS)[number];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class WorkerInformedDto {
  @ApiProperty({ example: 'written notice', description: 'How the worker was told of the right to arbitration' }) @IsString() @Length(1, 100) method!: string;
}

export class RecordPerformanceDto {
  @ApiProperty({ example: 60000 }) @IsNumber(YUAN) @Min(0.01) @Max(MAX_YUAN) amountYuan!: number;
  @ApiProperty({ description: 'When it was paid (ISO instant, not in the future)' }) @IsCalendarInstant() at!: string;
}

export class RecordBreachDto {
  @ApiProperty({ example: '到期未支付' }) @IsString() @Length(1, 2000) note!: string;
}

export class ReferToArbitrationDto {
  @ApiPropertyOptional({ example: '东城区劳动人事争议仲裁委员会' }) @IsOptional() @IsString() @MaxLength(200) commission?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class AdvisePaymentOrderDto {
  @ApiPropertyOptional({ example: '东城区人民法院' }) @IsOptional() @IsString() @MaxLength(200) court?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class RecordArbitrationFiledDto {
  @ApiProperty({ example: '2025-11-20', description: 'External milestone: the day arbitration was applied for' }) @IsCalendarDate() filedAt!: string;
  @ApiPropertyOptional({ description: 'The day the commission accepted it (award due 45 (+15) days later, art. 43)' })
  @IsOptional()
  @IsCalendarDate()
  acceptedByCommissionOn?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) commission?: string;
}

export class MeansTestDto {
  @ApiProperty() @IsBoolean() eligible!: boolean;
}

export class RequestLegalAidDto {
  @ApiProperty({ type: [String], example: ['w1', 'w2'] })
  @Matches(CLIENT_ID, { each: true, message: 'each entry is a workerId' })
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  workerIds!: string[];
  @ApiProperty({ description: 'Migrant workers claiming wages: no means test (法律援助法 art. 42)' }) @IsBoolean() migrantWageClaim!: boolean;
  @ApiPropertyOptional({ type: MeansTestDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => MeansTestDto) meansTested?: MeansTestDto;
}

export class DecideLegalAidDto {
  @ApiProperty() @IsBoolean() granted!: boolean;
  @ApiProperty() @IsString() @Length(1, 2000) reason!: string;
  @ApiPropertyOptional({ type: MeansTestDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => MeansTestDto) meansTest?: MeansTestDto;
}

export class LawyerDto {
  @ApiProperty({ description: 'Personal data' }) @IsString() @Length(1, 100) name!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) firm?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) licenceNumber?: string;
}

export class AssignLegalAidLawyerDto {
  @ApiProperty({ type: LawyerDto }) @IsObject() @ValidateNested() @Type(() => LawyerDto) lawyer!: LawyerDto;
}

export class CloseMediationDto {
  @ApiProperty({ example: '已移送仲裁' }) @IsString() @Length(1, 2000) reason!: string;
}

// ---------------------------------------------------------------- queries

const STATUS_FILTERS = [...MEDIATION_STATUSES, 'open'] as const;
const SORTS = ['received', 'due'] as const;
const ORDERS = ['asc', 'desc'] as const;

export class ListMediationsQuery {
  @ApiPropertyOptional({ description: 'Root of the org subtree (default: your own unit)' }) @IsOptional() @IsString() @Length(1, 100) orgUnit?: string;
  @ApiPropertyOptional({ enum: STATUS_FILTERS }) @IsOptional() @IsIn(STATUS_FILTERS) status?: MediationStatus | 'open';
  @ApiPropertyOptional({ example: 'mediator.east-s1' }) @IsOptional() @IsString() @Length(1, 100) mediatorId?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Collective cases (art. 7) only, or individual only' })
  @IsOptional()
  @IsIn(['true', 'false'])
  collective?: 'true' | 'false';
  @ApiPropertyOptional({ example: '2025-11', description: 'Received in this month (CST)' }) @IsOptional() @IsCalendarMonth() month?: string;
  @ApiPropertyOptional({ enum: ['true'], description: 'Only cases whose next deadline has passed' }) @IsOptional() @IsIn(['true']) overdue?: 'true';
  @ApiPropertyOptional({ enum: SORTS }) @IsOptional() @IsIn(SORTS) sort?: (typeof SORTS)[number];
  @ApiPropertyOptional({ enum: ORDERS }) @IsOptional() @IsIn(ORDERS) order?: (typeof ORDERS)[number];
  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class MediationStatsQuery {
  @ApiPropertyOptional({ description: 'Root of the org subtree (default: your own unit)' }) @IsOptional() @IsString() @Length(1, 100) orgUnit?: string;
  @ApiPropertyOptional({ example: '2025-11', description: 'One month (CST); totals when absent' }) @IsOptional() @IsCalendarMonth() month?: string;
}
