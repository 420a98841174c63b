import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, parseCalendarFile } from '@hearth/domain';
import { CALENDAR_REGISTRY, CalendarRegistry, commandMetaFrom, CommandOutcome, CurrentActor, HandleCalendarCommand, Roles } from '@hearth/platform';

const EXAMPLE = {
  year: 2027,
  papers: ['https://www.gov.cn/…'],
  days: [
    { name: '元旦', date: '2027-01-01', isOffDay: true },
    { name: '春节', date: '2027-02-20', isOffDay: false },
  ],
};

/**
 * The holiday calendar as run-time data (issue 13): administrators of the city federation load a year's State Council
 * arrangement (or a revision) the day it is published; open deadlines follow (the worker recomputes them).
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/calendars')
export class CalendarsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CALENDAR_REGISTRY) private readonly calendars: CalendarRegistry,
  ) {}

  @Post()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: "Load a year's holiday arrangement (city-federation admins). Hearth's format or the community format { year, papers, days: [{ name, date, isOffDay }] }",
    description:
      'The same days again append nothing (`events: []`). A bad file is 400 VALIDATION_FAILED listing every offending entry; nothing is recorded. ' +
      'Open deadlines whose period touches a changed day are recomputed by their cases (DeadlineRecomputed).',
  })
  @ApiBody({ schema: { type: 'object', example: EXAMPLE } })
  async load(@CurrentActor() actor: Actor, @Body() body: unknown, @Headers() headers: Record<string, string | undefined>) {
    const parsed = parseCalendarFile(body);
    if (!parsed.ok) throw new BadRequestException({ code: 'VALIDATION_FAILED', message: '日历文件有误，未作任何更改', errors: parsed.errors });
    const outcome = await this.commands.execute<HandleCalendarCommand, CommandOutcome>(
      new HandleCalendarCommand({ type: 'PublishCalendarYear', ...parsed.value }, actor, commandMetaFrom(headers, actor)),
    );
    const latest = (await this.calendars.calendar()).list().filter((r) => r.year === parsed.value.year).pop();
    return { ...outcome, year: parsed.value.year, revision: latest?.revision };
  }

  @Get()
  @Roles('admin', 'head', 'supervisor', 'auditor')
  @ApiOperation({ summary: 'Years, revisions, sources and when they were loaded; the calendar version in force; years counted provisionally' })
  async list() {
    const history = await this.calendars.calendar();
    return { version: history.current().version, years: history.list(), missingYears: history.flaggedMissing() };
  }
}
