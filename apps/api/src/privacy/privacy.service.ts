import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Actor, DomainError, ERASURE_LEGAL_BASIS, ErasureReason, erasureAuthorized, localDateOf, SubjectErased, subjectDecider } from '@hearth/domain';
import { derivedId, EVENT_STORE, EventMetadata, EventStore, eventIdFor } from '@hearth/event-store';
import {
  CLOCK,
  Clock,
  COMMAND_RUNNER,
  CommandMeta,
  CommandRunner,
  deciderForStream,
  envelopesIn,
  ErasureRecord,
  HEARTH_CONFIG,
  HearthConfig,
  KEY_STORE,
  KeyCache,
  KeyStore,
  ORG_REGISTRY,
  OrgRegistry,
  PERSONAL_DATA_CIPHER,
  PersonalDataCipher,
  personSubjectId,
  RAW_EVENT_STORE,
  keyReused,
  SubjectInfo,
} from '@hearth/platform';
import { subjectStream } from '../history/personal-data-disclosure';

export { subjectStream };

/** Data of `SubjectErased` (libs/domain/src/privacy/subject.events.ts). */
export type SubjectErasedData = SubjectErased['data'];

/** Data of `PersonalDataRevealed`, appended before any plaintext leaves. */
export interface PersonalDataRevealedData {
  subjectId: string;
  /** Where each revealed value sits: stream, revision, JSON pointer (no values). */
  fields: Array<{ stream: string; revision: number; eventType: string; path: string }>;
  reason: string;
  revealedBy: string;
  revealedAt: string;
}

interface CaseFacts {
  exists: boolean;
  orgUnit: string;
  /** Whether the case's personal data may be erased for the end of retention. */
  retentionEnded: boolean;
  why: string;
}

/**
 * Crypto-shredding over the key store (domain-spec §5): which subjects a case holds, erasure (keys destroyed, blind
 * indexes removed, `SubjectErased` logged), and the auditor's reveal (`PersonalDataRevealed` logged first).
 */
@Injectable()
export class PrivacyService implements OnApplicationBootstrap {
  private readonly log = new Logger('privacy');

  constructor(
    @Inject(KEY_STORE) private readonly keys: KeyStore,
    @Inject(PERSONAL_DATA_CIPHER) private readonly cipher: PersonalDataCipher,
    @Inject(RAW_EVENT_STORE) private readonly raw: EventStore,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** An erasure whose event did not reach the log (crash between the two steps) is logged now. */
  async onApplicationBootstrap(): Promise<void> {
    for (const r of await this.keys.unloggedErasures()) {
      await this.logErasure(r).catch((err: unknown) => this.log.error(`erasure ${r.erasureId} not yet logged: ${(err as Error).message}`));
    }
  }

  /** The subjects whose personal values a case holds, from the envelopes in its log (roles, how many values, erased or not). */
  async subjectsOfCase(caseStream: string, actor: Actor) {
    const facts = await this.caseFacts(caseStream);
    if (!facts.exists) throw new DomainError('CASE_NOT_FOUND', `no case ${caseStream}`, 'not_found');
    this.assertWithin(facts.orgUnit, actor);
    const bySubject = new Map<string, { roles: Set<string>; values: number; keyIds: Set<string> }>();
    for (const e of await this.raw.readStream(caseStream)) {
      for (const { envelope } of envelopesIn(e.data)) {
        const s = bySubject.get(envelope.s) ?? { roles: new Set<string>(), values: 0, keyIds: new Set<string>() };
        s.roles.add(envelope.r);
        s.values++;
        s.keyIds.add(envelope.k);
        bySubject.set(envelope.s, s);
      }
    }
    const subjects = [];
    for (const [subjectId, s] of bySubject) {
      const info = await this.keys.subject(subjectId);
      let readable = 0;
      for (const k of s.keyIds) if (await this.keys.keyById(k)) readable++;
      subjects.push({ subjectId, kind: info?.kind ?? 'unknown', roles: [...s.roles].sort(), values: s.values, erased: readable === 0 });
    }
    return { caseStream, subjects };
  }

  /** A person's subject by ID number (keyed hash): only while it still holds keys, and only the cases within the caller's subtree. */
  async lookup(idNumber: string, actor: Actor) {
    const info = await this.keys.subject(personSubjectId(idNumber, this.config.blindIndexKey));
    const streams = info && info.keyIds.length ? await this.streamsWithin(info.streams, actor) : [];
    if (!info || !streams.length) throw new DomainError('SUBJECT_NOT_FOUND', 'no personal data of this person in your subtree', 'not_found');
    return { subjectId: info.subjectId, kind: info.kind, streams };
  }

  /** A subject's state and privacy log (erasures, reveals). */
  async describe(subjectId: string, actor: Actor) {
    const info = await this.requireSubject(subjectId);
    const streams = await this.streamsWithin(info.streams, actor);
    if (!streams.length && info.streams.length) throw new DomainError('OUTSIDE_ORG_SUBTREE', 'this subject has no case in your subtree', 'forbidden');
    const events = await this.store.readStream(subjectStream(subjectId));
    return {
      subjectId,
      kind: info.kind,
      erased: info.keyIds.length === 0,
      streams,
      events: events.map((e) => ({ revision: e.revision, position: e.position, type: e.type, occurredAt: e.metadata.occurredAt, actorId: e.metadata.actorId, role: e.metadata.role, data: e.data })),
    };
  }

  /**
   * Ask for a subject's erasure (four eyes, libs/domain/src/privacy/subject.decider.ts). A data-subject request is
   * recorded as `ErasureRequested` and waits for a second person's approval (`approve`); the end of retention is
   * carried out at once, once every case's retention has ended. Nothing is destroyed by a refused command.
   */
  async erase(subjectId: string, reason: ErasureReason, reference: string | undefined, actor: Actor, meta: CommandMeta) {
    const info = await this.requireSubject(subjectId);
    const retried = this.retriedErasure(info, meta);
    if (retried) return this.erasureResult(retried, await this.logErasure(retried));
    const facts = await this.factsOf(info);
    const requestId = derivedId(`erasure-request|${subjectId}|${meta.commandId}`);
    const command = {
      type: 'RequestErasure' as const,
      subjectId,
      requestId,
      reason,
      ...(reference ? { reference } : {}),
      owningUnits: owningUnitsOf(facts),
      openCases: facts.filter((f) => f.exists && !f.retentionEnded).map((f) => ({ stream: f.stream, why: f.why })),
    };
    const out = await this.runner.execute(subjectDecider, subjectId, command, actor, { ...meta, cause: 'RequestErasure' });
    if (reason === 'retention_end') return this.destroyKeys(subjectId, requestId, actor, meta);
    const { state } = await this.runner.stateOf(subjectDecider, subjectId);
    return {
      subjectId,
      requestId,
      status: 'approval_required' as const,
      reason,
      legalBasis: ERASURE_LEGAL_BASIS[reason],
      requestedBy: state.request?.requestedBy ?? actor.id,
      requestedAt: state.request?.requestedAt ?? null,
      position: out.position,
    };
  }

  /**
   * The second person's approval of a data-subject request: a head or supervisor above every owning unit, not the
   * requester (the decider checks). Then the keys are destroyed and `SubjectErased` is recorded.
   */
  async approve(subjectId: string, requestId: string, actor: Actor, meta: CommandMeta) {
    const info = await this.requireSubject(subjectId);
    const retried = this.retriedErasure(info, meta);
    if (retried) return this.erasureResult(retried, await this.logErasure(retried));
    const owningUnits = owningUnitsOf(await this.factsOf(info));
    await this.runner.execute(subjectDecider, subjectId, { type: 'ApproveErasure', requestId, owningUnits }, actor, { ...meta, cause: 'ApproveErasure' });
    return this.destroyKeys(subjectId, requestId, actor, meta);
  }

  /** Withdraw (the requester) or decline (a head or supervisor of the chain) a request not yet approved: nothing is erased. */
  async decline(subjectId: string, requestId: string, reason: string, actor: Actor, meta: CommandMeta) {
    const info = await this.requireSubject(subjectId);
    const owningUnits = owningUnitsOf(await this.factsOf(info));
    const out = await this.runner.execute(subjectDecider, subjectId, { type: 'DeclineErasure', requestId, reason, owningUnits }, actor, { ...meta, cause: 'DeclineErasure' });
    return { subjectId, requestId, status: 'declined' as const, declinedBy: actor.id, position: out.position };
  }

  /**
   * The erasure a retried request (same Idempotency-Key) already carried out, to answer as the first time; anything
   * else on an erased subject goes to the decider, which refuses it (403 for outsiders, else 422 SUBJECT_ALREADY_ERASED).
   */
  private retriedErasure(info: SubjectInfo, meta: CommandMeta): ErasureRecord | undefined {
    const last = info.erasures[info.erasures.length - 1];
    return info.keyIds.length === 0 && last && last.metadata.commandId === meta.commandId ? last : undefined;
  }

  /**
   * Destroy the keys and blind-index entries of an authorised request (one key-store transaction, which also records
   * the erasure), then record `SubjectErased` through the subject decider. From then on every view shows its values
   * as `[erased]`; the log is untouched, so its hash chain still verifies.
   */
  private async destroyKeys(subjectId: string, requestId: string, actor: Actor, meta: CommandMeta) {
    const { state } = await this.runner.stateOf(subjectDecider, subjectId);
    const request = state.request;
    if (!request || !erasureAuthorized(state, requestId)) throw new DomainError('ERASURE_NOT_APPROVED', '删除申请尚未经第二人审批');
    const now = this.clock.now().toISOString();
    const metadata: EventMetadata = {
      actorId: actor.id,
      role: actor.role,
      orgUnit: actor.orgUnit,
      occurredAt: now,
      commandId: meta.commandId,
      correlationId: meta.correlationId ?? meta.commandId,
      causationId: meta.causationId ?? meta.commandId,
      schemaVersion: 1,
      cause: 'RecordErasure',
    };
    const record = await this.keys.erase(subjectId, (d) => {
      const event: SubjectErasedData = {
        subjectId,
        kind: d.kind,
        erasureId: d.erasureId,
        reason: request.reason,
        legalBasis: request.legalBasis,
        ...(request.reference ? { reference: request.reference } : {}),
        requestId,
        requestedBy: request.requestedBy,
        ...(request.approvedBy ? { approvedBy: request.approvedBy } : {}),
        erasedBy: actor.id,
        erasedAt: now,
        keyIds: d.keyIds,
        streams: d.streams,
        blindIndexes: uniqueIndexes(d.blindIndexes),
      };
      return { event: { ...event }, metadata: { ...metadata }, erasedAt: now };
    });
    // Erased concurrently by someone else between our read and the key store's transaction.
    if (!record) throw new DomainError('SUBJECT_ALREADY_ERASED', 'this subject was already erased', 'rule');
    return this.erasureResult(record, await this.logErasure(record));
  }

  /**
   * The auditor's decryption (domain-spec §5: "decrypting for an auditor is itself logged"): `PersonalDataRevealed`
   * is appended to the subject’s stream before any plaintext is returned. After erasure: 422 SUBJECT_ERASED.
   */
  async reveal(subjectId: string, reason: string, caseStream: string | undefined, actor: Actor, meta: CommandMeta) {
    const info = await this.requireSubject(subjectId);
    if (caseStream && !info.streams.includes(caseStream)) throw new DomainError('SUBJECT_NOT_IN_CASE', `subject ${subjectId} has no personal data in ${caseStream}`, 'not_found');
    const streams = caseStream ? [caseStream] : info.streams;
    for (const s of streams) {
      const f = await this.caseFacts(s);
      if (f.exists) this.assertWithin(f.orgUnit, actor);
    }
    // The reveal's event id comes from the Idempotency-Key: the same key with another reason or case would be
    // deduplicated by the log and leave the second request unlogged, so it is refused before anything is decrypted.
    const commandHash = createHash('sha256').update(JSON.stringify({ subjectId, reason, caseStream: caseStream ?? null })).digest('base64url');
    const eventId = eventIdFor(meta.commandId, 0);
    const prior = (await this.raw.readStream(subjectStream(subjectId))).find((e) => e.id === eventId);
    if (prior?.metadata.commandHash && prior.metadata.commandHash !== commandHash) throw keyReused();
    const cache: KeyCache = new Map();
    const values: Array<{ stream: string; revision: number; eventType: string; path: string; role: string; erased: boolean; value?: unknown }> = [];
    for (const stream of streams) {
      for (const e of await this.raw.readStream(stream)) {
        for (const { pointer, envelope } of envelopesIn(e.data)) {
          if (envelope.s !== subjectId) continue;
          const opened = await this.cipher.openEnvelope(envelope, e.streamId, e.id, pointer, cache);
          values.push({ stream, revision: e.revision, eventType: e.type, path: pointer, role: envelope.r, erased: opened.erased, ...(opened.erased ? {} : { value: opened.value }) });
        }
      }
    }
    const revealed = values.filter((v) => !v.erased);
    if (!revealed.length) {
      const last = info.erasures[info.erasures.length - 1];
      if (last) throw new DomainError('SUBJECT_ERASED', 'the personal data of this subject was erased', 'rule', { erasureId: last.erasureId, erasedAt: last.erasedAt });
      throw new DomainError('NO_PERSONAL_DATA', 'this subject has no personal data to reveal', 'not_found');
    }
    const now = this.clock.now().toISOString();
    const data: PersonalDataRevealedData = {
      subjectId,
      fields: revealed.map((v) => ({ stream: v.stream, revision: v.revision, eventType: v.eventType, path: v.path })),
      reason,
      revealedBy: actor.id,
      revealedAt: now,
    };
    const appended = await this.store.append(
      subjectStream(subjectId),
      [
        {
          id: eventId,
          type: 'PersonalDataRevealed',
          data,
          metadata: {
            actorId: actor.id,
            role: actor.role,
            orgUnit: actor.orgUnit,
            occurredAt: now,
            commandId: meta.commandId,
            correlationId: meta.correlationId ?? meta.commandId,
            causationId: meta.causationId ?? meta.commandId,
            schemaVersion: 1,
            cause: 'RevealPersonalData',
            commandHash,
          },
        },
      ],
      'any',
    );
    return { subjectId, revealedAt: now, position: appended.position, values };
  }

  /** `SubjectErased` through the subject decider, once per erasure (a re-log after a crash appends nothing twice). */
  private async logErasure(r: ErasureRecord): Promise<number | null> {
    const d = r.event as unknown as SubjectErasedData;
    const m = r.metadata as unknown as EventMetadata;
    const actor = { id: m.actorId, role: m.role, orgUnit: m.orgUnit } as Actor;
    const commandId = derivedId(`subject-erasure|${r.erasureId}`);
    let position: number;
    if (d.requestId) {
      const { requestId, requestedBy: _r, approvedBy: _a, reason: _reason, legalBasis: _l, reference: _ref, ...erasure } = d;
      const out = await this.runner.execute(subjectDecider, r.subjectId, { type: 'RecordErasure', requestId, erasure }, actor, {
        commandId,
        correlationId: m.correlationId,
        causationId: m.commandId,
        cause: 'RecordErasure',
      });
      position = out.position;
    } else {
      // An erasure from before four-eyes erasure (no request): the keys are gone, so the fact is recorded as it was.
      position = (await this.store.append(subjectStream(r.subjectId), [{ id: commandId, type: 'SubjectErased', data: r.event, metadata: m }], 'any')).position;
    }
    await this.keys.markErasureLogged(r.erasureId);
    return position;
  }

  private erasureResult(r: ErasureRecord, position: number | null) {
    const d = r.event as unknown as SubjectErasedData;
    return {
      status: 'erased' as const,
      subjectId: r.subjectId,
      erasureId: r.erasureId,
      erasedAt: r.erasedAt,
      reason: d.reason,
      legalBasis: d.legalBasis,
      keysDestroyed: d.keyIds.length,
      streams: d.streams,
      blindIndexesRemoved: d.blindIndexes.length,
      ...(d.requestId ? { requestId: d.requestId, requestedBy: d.requestedBy, ...(d.approvedBy ? { approvedBy: d.approvedBy } : {}) } : {}),
      position,
    };
  }

  private async requireSubject(subjectId: string): Promise<SubjectInfo> {
    const info = await this.keys.subject(subjectId);
    if (!info) throw new DomainError('SUBJECT_NOT_FOUND', `no subject ${subjectId}`, 'not_found');
    return info;
  }

  /** Every case of the subject with its owning unit and retention status. */
  private async factsOf(info: SubjectInfo): Promise<Array<CaseFacts & { stream: string }>> {
    return Promise.all(info.streams.map(async (stream) => ({ stream, ...(await this.caseFacts(stream)) })));
  }

  private async streamsWithin(streams: readonly string[], actor: Actor): Promise<string[]> {
    const out: string[] = [];
    for (const s of streams) {
      const f = await this.caseFacts(s);
      if (f.exists && this.org.directory.isWithin(f.orgUnit, actor.orgUnit)) out.push(s);
    }
    return out;
  }

  /** Org unit and retention status of a case, from its decider's state. */
  private async caseFacts(stream: string): Promise<CaseFacts> {
    const found = deciderForStream(stream);
    if (!found) return { exists: false, orgUnit: '', retentionEnded: false, why: 'unknown stream' };
    const { state } = (await this.runner.stateOf(found.decider, found.id)) as { state: Record<string, unknown> };
    const category = stream.slice(0, stream.indexOf('-'));
    const orgUnit = String(state.orgUnit ?? '');
    if (category === 'hardship') {
      if (!state.exists) return { exists: false, orgUnit, retentionEnded: false, why: 'no file' };
      const today = localDateOf(this.clock.now());
      if (state.status === 'Rejected') return { exists: true, orgUnit, retentionEnded: true, why: 'rejected' };
      if (state.status !== 'Exited') return { exists: true, orgUnit, retentionEnded: false, why: `file is ${String(state.status)}` };
      const until = String(state.retentionUntil ?? '');
      return until && until <= today
        ? { exists: true, orgUnit, retentionEnded: true, why: `retention ended ${until}` }
        : { exists: true, orgUnit, retentionEnded: false, why: `kept until ${until}` };
    }
    if (state.status === 'None' || state.status === undefined) return { exists: false, orgUnit, retentionEnded: false, why: 'no case' };
    return state.status === 'Closed'
      ? { exists: true, orgUnit, retentionEnded: true, why: 'closed' }
      : { exists: true, orgUnit, retentionEnded: false, why: `case is ${String(state.status)}` };
  }

  private assertWithin(orgUnit: string, actor: Actor): void {
    if (!this.org.directory.isWithin(orgUnit, actor.orgUnit)) throw new DomainError('OUTSIDE_ORG_SUBTREE', 'this case is outside your org subtree', 'forbidden');
  }
}

/** The org units owning the subject's existing cases (requester and approver must be above each). */
const owningUnitsOf = (facts: ReadonlyArray<CaseFacts>): string[] => [...new Set(facts.filter((f) => f.exists).map((f) => f.orgUnit))].sort();

const uniqueIndexes = (entries: ReadonlyArray<{ scope: string; value: string }>) => [
  ...new Map(entries.map((b) => [`${b.scope}|${b.value}`, { scope: b.scope, value: b.value }])).values(),
];
