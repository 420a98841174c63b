import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { HUMAN_ROLES, OrgLevel, Role } from '@hearth/domain';

/** Ids of units and users: what stream names and URLs can carry. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ID_MESSAGE = '编号只能包含字母、数字、点、下划线和连字符（最多64个字符）';

export class CreateUnitDto {
  @ApiProperty({ example: 'east-s3' }) @IsString() @Matches(ID, { message: ID_MESSAGE }) unitId!: string;
  @ApiProperty({ example: '东城区第3街道总工会' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ example: 3 }) @IsInt() @Min(1) @Max(4) level!: OrgLevel;
  @ApiProperty({ example: 'east' }) @IsString() @Matches(ID, { message: ID_MESSAGE }) parentId!: string;
}

export class RenameUnitDto {
  @ApiProperty() @IsString() @Length(1, 100) name!: string;
}

export class MoveUnitDto {
  @ApiProperty() @IsString() @Matches(ID, { message: ID_MESSAGE }) parentId!: string;
}

export class CloseUnitDto {
  @ApiPropertyOptional({ description: 'the unit that takes over the open cases' })
  @IsOptional()
  @IsString()
  @Matches(ID, { message: ID_MESSAGE })
  successorId?: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'officer.east-s3' }) @IsString() @Matches(ID, { message: ID_MESSAGE }) userId!: string;
  @ApiProperty({ example: 'zhang.san' }) @IsString() @Matches(ID, { message: '用户名只能包含字母、数字、点、下划线和连字符' }) username!: string;
  @ApiProperty({ example: '张三' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: HUMAN_ROLES }) @IsIn(HUMAN_ROLES as Role[], { message: '角色无效' }) role!: Role;
  @ApiProperty({ example: 'east-s3' }) @IsString() @Matches(ID, { message: ID_MESSAGE }) orgUnit!: string;
  @ApiProperty({ description: 'at least 10 characters with letters and digits' }) @IsString() @MaxLength(128) password!: string;
}

export class ChangeRoleDto {
  @ApiProperty({ enum: HUMAN_ROLES }) @IsIn(HUMAN_ROLES as Role[], { message: '角色无效' }) role!: Role;
}

export class MoveUserDto {
  @ApiProperty() @IsString() @Matches(ID, { message: ID_MESSAGE }) orgUnit!: string;
}

export class DisableUserDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) reason?: string;
}

export class PasswordDto {
  @ApiProperty() @IsString() @MaxLength(128) password!: string;
}
