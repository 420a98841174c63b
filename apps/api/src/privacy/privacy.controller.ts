import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@hearth/domain';
import { commandMetaFrom, CurrentActor, Roles } from '@hearth/platform';
import { ApproveErasureDto, DeclineErasureDto, EraseSubjectDto, LookupSubjectDto, RevealDto, SubjectsOfCaseQuery } from './privacy.dto';
import { PrivacyService } from './privacy.service';

type Hdrs = Record<string, string | undefined>;

/**
 * Personal data (个人信息保护法, domain-spec §5). Personal values are stored encrypted per subject (a person, a
 * household's shared data, a case's shared narrative); erasing a subject destroys its keys (crypto-shredding), so its
 * values read `[erased]` everywhere while the log stays as written. Reading plaintext as an auditor is a logged act.
 */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller('privacy')
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @Get('subjects')
  @Roles('head', 'supervisor', 'auditor')
  @ApiOperation({ summary: 'The subjects whose personal data a case holds: pseudonymous ids, roles in the case, erased or not (no personal data)' })
  subjectsOfCase(@Query() q: SubjectsOfCaseQuery, @CurrentActor() actor: Actor) {
    return this.privacy.subjectsOfCase(q.caseStream, actor);
  }

  @Post('subjects/lookup')
  @HttpCode(200)
  @Roles('head', 'supervisor', 'auditor')
  @ApiOperation({ summary: 'Find a person’s subject by resident ID number (keyed hash; the number is not stored); not found once erased' })
  lookup(@Body() dto: LookupSubjectDto, @CurrentActor() actor: Actor) {
    return this.privacy.lookup(dto.idNumber, actor);
  }

  @Get('subjects/:subjectId')
  @Roles('head', 'supervisor', 'auditor')
  @ApiOperation({ summary: 'A subject: erased or not, its cases in your subtree, and its privacy log (SubjectErased, PersonalDataRevealed)' })
  describe(@Param('subjectId', ParseUUIDPipe) subjectId: string, @CurrentActor() actor: Actor) {
    return this.privacy.describe(subjectId, actor);
  }

  @Post('subjects/:subjectId/erasure')
  @HttpCode(200)
  @Roles('head', 'supervisor')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key returns the first result' })
  @ApiOperation({
    summary:
      'Ask to erase a subject (a supervisor, or the head of the city federation, above every case of it). data_subject_request: recorded, waits for a second person (POST …/erasure/approval); retention_end: erased at once once every case’s retention has ended',
  })
  @ApiOkResponse({
    description:
      'data_subject_request: { subjectId, requestId, status: approval_required, reason, legalBasis, requestedBy, requestedAt, position }; retention_end: the erasure (as the approval answers)',
  })
  erase(@Param('subjectId', ParseUUIDPipe) subjectId: string, @Body() dto: EraseSubjectDto, @CurrentActor() actor: Actor, @Headers() h: Hdrs) {
    return this.privacy.erase(subjectId, dto.reason, dto.reference, actor, commandMetaFrom(h, actor, `privacy|${subjectId}|erase`));
  }

  @Post('subjects/:subjectId/erasure/approval')
  @HttpCode(200)
  @Roles('head', 'supervisor')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key returns the first result' })
  @ApiOperation({
    summary:
      'Approve a waiting erasure request (four eyes: a head or supervisor above every case of the subject, not the requester): its keys and blind-index entries are destroyed, SubjectErased is logged; every view then shows [erased]',
  })
  @ApiOkResponse({ description: '{ status: erased, subjectId, erasureId, erasedAt, reason, legalBasis, requestId, requestedBy, approvedBy, keysDestroyed, streams, blindIndexesRemoved, position }' })
  approve(@Param('subjectId', ParseUUIDPipe) subjectId: string, @Body() dto: ApproveErasureDto, @CurrentActor() actor: Actor, @Headers() h: Hdrs) {
    return this.privacy.approve(subjectId, dto.requestId, actor, commandMetaFrom(h, actor, `privacy|${subjectId}|approve-erasure`));
  }

  @Post('subjects/:subjectId/erasure/decline')
  @HttpCode(200)
  @Roles('head', 'supervisor')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key returns the first result' })
  @ApiOperation({ summary: 'Withdraw (the requester) or decline (a head or supervisor above every case of the subject) a waiting erasure request, with a reason: nothing is erased' })
  @ApiOkResponse({ description: '{ subjectId, requestId, status: declined, declinedBy, position }' })
  decline(@Param('subjectId', ParseUUIDPipe) subjectId: string, @Body() dto: DeclineErasureDto, @CurrentActor() actor: Actor, @Headers() h: Hdrs) {
    return this.privacy.decline(subjectId, dto.requestId, dto.reason, actor, commandMetaFrom(h, actor, `privacy|${subjectId}|decline-erasure`));
  }

  @Post('subjects/:subjectId/reveal')
  @HttpCode(200)
  @Roles('auditor')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key logs the reveal once' })
  @ApiOperation({ summary: 'Decrypt a subject’s personal values for an audit: PersonalDataRevealed is logged before the plaintext is returned; 422 SUBJECT_ERASED after erasure' })
  reveal(@Param('subjectId', ParseUUIDPipe) subjectId: string, @Body() dto: RevealDto, @CurrentActor() actor: Actor, @Headers() h: Hdrs) {
    return this.privacy.reveal(subjectId, dto.reason, dto.caseStream, actor, commandMetaFrom(h, actor, `privacy|${subjectId}|reveal`));
  }
}
