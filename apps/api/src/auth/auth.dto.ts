import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class SignInDto {
  @ApiProperty({ example: 'officer.east' }) @IsString() @Length(1, 64) username!: string;
  @ApiProperty() @IsString() @Length(1, 128) password!: string;
}

