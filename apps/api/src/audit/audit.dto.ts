import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { IsCalendarInstant } from '@hearth/platform';

export const HISTORY_FORMATS = ['json', 'csv', 'html', 'timeline'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

// A token in the URL is refused here (401 TOKEN_IN_URL, issue 11.5): downloads use fetch with the header and a blob.
const TOKEN_DOC = 'Not accepted: a token in the URL is answered 401 TOKEN_IN_URL; send it in the Authorization header';

export class HistoryQuery {
  @ApiPropertyOptional({ enum: HISTORY_FORMATS, default: 'json', description: 'json; csv (RFC 4180, UTF-8 with BOM); html (printable page); timeline (plain text)' })
  @IsOptional()
  @IsIn(HISTORY_FORMATS)
  format?: HistoryFormat;

  @ApiPropertyOptional({ description: TOKEN_DOC }) @IsOptional() @IsString() access_token?: string;
}

export class AsOfQuery {
  @ApiPropertyOptional({ example: '2025-10-09T09:00:00+08:00', description: 'Domain time: the events that occurred at or before it' })
  @IsOptional()
  @IsCalendarInstant()
  at?: string;

  @ApiPropertyOptional({ minimum: 0, description: 'Stream revision: the events up to and including it' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  revision?: number;

  @ApiPropertyOptional({ description: TOKEN_DOC }) @IsOptional() @IsString() access_token?: string;
}

export class IntegrityQuery {
  @ApiPropertyOptional({ description: 'Position of a head hash kept elsewhere (proves the log was not truncated or rewritten up to it)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  headPosition?: number;

  @ApiPropertyOptional({ description: 'The kept head hash (64 hex digits), with headPosition' })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'headHash must be 64 lower-case hex digits' })
  headHash?: string;
}

export class ChainHeadDto {
  @ApiProperty() position!: number;
  @ApiProperty({ description: 'SHA-256 (hex) of the global chain at that position' }) logHash!: string;
}

export class IntegrityBreakDto {
  @ApiProperty({ enum: ['edited', 'deleted', 'reordered', 'inserted', 'truncated', 'unchained'] }) kind!: string;
  @ApiProperty({ description: 'Global position where the break shows' }) position!: number;
  @ApiPropertyOptional() streamId?: string;
  @ApiPropertyOptional() revision?: number;
  @ApiPropertyOptional() eventId?: string;
  @ApiProperty() detail!: string;
}

export class IntegrityReportDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() checkedEvents!: number;
  @ApiProperty() checkedStreams!: number;
  @ApiPropertyOptional({ type: ChainHeadDto, nullable: true }) head!: ChainHeadDto | null;
  @ApiPropertyOptional({ type: IntegrityBreakDto }) break?: IntegrityBreakDto;
  @ApiProperty() checkedAgainstHead!: boolean;
}
