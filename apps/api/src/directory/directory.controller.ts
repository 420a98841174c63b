import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, passwordPolicyViolation, UnitCommand, UserCommand } from '@hearth/domain';
import { commandMetaFrom, CommandOutcome, CurrentActor, HandleDirectoryCommand, hashPassword, ORG_REGISTRY, OrgRegistry, Roles } from '@hearth/platform';
import { MediationQueries, PetitionQueries } from '@hearth/read-models';
import { ChangeRoleDto, CloseUnitDto, CreateUnitDto, CreateUserDto, DisableUserDto, MoveUnitDto, MoveUserDto, PasswordDto, RenameUnitDto } from './directory.dto';

/** A password the policy refuses: 400 with the field's message, before anything is hashed or decided. */
function checkPassword(password: string, username?: string): void {
  const violation = passwordPolicyViolation(password, username);
  if (violation) throw new BadRequestException({ code: 'VALIDATION_FAILED', message: '请求内容有误', errors: [{ field: 'password', messages: [violation] }] });
}

/**
 * The org directory run in Hearth itself (issue 14): administrators (系统管理员) manage the units and users of their
 * subtree through commands on the `orgunit-*` and `user-*` streams. Every change is an event auditors see.
 */
@ApiTags('directory')
@ApiBearerAuth()
@Controller('directory')
@Roles('admin')
export class DirectoryController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    private readonly petitions: PetitionQueries,
    private readonly mediations: MediationQueries,
  ) {}

  private run(command: UnitCommand | UserCommand, actor: Actor, headers: Record<string, string | undefined>): Promise<CommandOutcome> {
    return this.commands.execute<HandleDirectoryCommand, CommandOutcome>(new HandleDirectoryCommand(command, actor, commandMetaFrom(headers, actor)));
  }

  @Get('units')
  @ApiOperation({ summary: "The units of the admin's subtree" })
  units(@CurrentActor() actor: Actor) {
    return { items: this.org.directory.all().filter((u) => this.org.directory.isWithin(u.id, actor.orgUnit)) };
  }

  @Get('users')
  @ApiOperation({ summary: "The users of the admin's subtree (never a password hash)" })
  users(@CurrentActor() actor: Actor) {
    const items = this.org.directory
      .users()
      .filter((u) => this.org.directory.isWithin(u.orgUnit, actor.orgUnit))
      .map(({ id, username, name, role, orgUnit, active }) => ({ id, username, name, role, orgUnit, active }));
    return { items };
  }

  @Post('units')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a unit one level below its parent' })
  createUnit(@CurrentActor() actor: Actor, @Body() b: CreateUnitDto, @Headers() h: Record<string, string | undefined>) {
    return this.run({ type: 'CreateUnit', unitId: b.unitId, name: b.name, level: b.level, parentId: b.parentId }, actor, h);
  }

  @Post('units/:unitId/rename')
  @HttpCode(200)
  renameUnit(@CurrentActor() actor: Actor, @Param('unitId') unitId: string, @Body() b: RenameUnitDto, @Headers() h: Record<string, string | undefined>) {
    return this.run({ type: 'RenameUnit', unitId, name: b.name }, actor, h);
  }

  @Post('units/:unitId/move')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a unit under another parent (never under itself or its own subtree: 422 UNIT_CYCLE)' })
  moveUnit(@CurrentActor() actor: Actor, @Param('unitId') unitId: string, @Body() b: MoveUnitDto, @Headers() h: Record<string, string | undefined>) {
    return this.run({ type: 'MoveUnit', unitId, parentId: b.parentId }, actor, h);
  }

  @Post('units/:unitId/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close a unit; with open petitions or mediations a successor unit is required (422 UNIT_HAS_OPEN_CASES)' })
  async closeUnit(@CurrentActor() actor: Actor, @Param('unitId') unitId: string, @Body() b: CloseUnitDto, @Headers() h: Record<string, string | undefined>) {
    // The fact the decider needs, read here: open cases of the unit (its subtree is empty of open units by then).
    const known = this.org.directory.has(unitId);
    const [p, m] = known
      ? await Promise.all([this.petitions.list({ orgUnit: unitId, status: 'open', limit: 1 }), this.mediations.list({ orgUnit: unitId, status: 'open', limit: 1 })])
      : [{ total: 0 }, { total: 0 }];
    return this.run({ type: 'CloseUnit', unitId, openCases: p.total + m.total, ...(b.successorId ? { successorId: b.successorId } : {}) }, actor, h);
  }

  @Post('users')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a user with a first password (the policy: 10+ characters, letters and digits)' })
  async createUser(@CurrentActor() actor: Actor, @Body() b: CreateUserDto, @Headers() h: Record<string, string | undefined>) {
    checkPassword(b.password, b.username);
    const passwordHash = await hashPassword(b.password);
    const out = await this.run({ type: 'CreateUser', userId: b.userId, username: b.username, name: b.name, role: b.role, orgUnit: b.orgUnit, passwordHash }, actor, h);
    return out;
  }

  @Post('users/:userId/role')
  @HttpCode(200)
  changeRole(@CurrentActor() actor: Actor, @Param('userId') userId: string, @Body() b: ChangeRoleDto, @Headers() h: Record<string, string | undefined>) {
    return this.run({ type: 'ChangeUserRole', userId, role: b.role }, actor, h);
  }

  @Post('users/:userId/move')
  @HttpCode(200)
  moveUser(@CurrentActor() actor: Actor, @Param('userId') userId: string, @Body() b: MoveUserDto, @Headers() h: Record<string, string | undefined>) {
    return this.run({ type: 'MoveUser', userId, orgUnit: b.orgUnit }, actor, h);
  }

  @Post('users/:userId/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable a user: every token and session of theirs stops working on the next request' })
  disable(@CurrentActor() actor: Actor, @Param('userId') userId: string, @Body() b: DisableUserDto, @Headers() h: Record<string, string | undefined>) {
    return this.run({ type: 'DisableUser', userId, ...(b.reason ? { reason: b.reason } : {}) }, actor, h);
  }

  @Post('users/:userId/enable')
  @HttpCode(200)
  enable(@CurrentActor() actor: Actor, @Param('userId') userId: string, @Headers() h: Record<string, string | undefined>) {
    return this.run({ type: 'EnableUser', userId }, actor, h);
  }

  @Post('users/:userId/password')
  @HttpCode(200)
  @ApiOperation({ summary: "Reset a user's password" })
  async resetPassword(@CurrentActor() actor: Actor, @Param('userId') userId: string, @Body() b: PasswordDto, @Headers() h: Record<string, string | undefined>) {
    checkPassword(b.password, this.org.user(userId)?.username);
    return this.run({ type: 'ResetPassword', userId, passwordHash: await hashPassword(b.password) }, actor, h);
  }
}
