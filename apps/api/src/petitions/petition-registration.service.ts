import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  Actor,
  DomainError,
  PetitionCommand,
  petitionDecider,
  RepeatHolderFacts,
  RepeatKeyCommand,
  repeatKeyDecider,
  routeRegistration,
  SYSTEM_ACTOR,
} from '@hearth/domain';
import { derivedId, EventStore } from '@hearth/event-store';
import {
  COMMAND_RUNNER,
  CommandMeta,
  CommandOutcome,
  CommandRunner,
  HandleCaseCommand,
  HEARTH_CONFIG,
  HearthConfig,
  ORG_REGISTRY,
  OrgRegistry,
  RAW_EVENT_STORE,
  REDIS,
  personSubjectId,
} from '@hearth/platform';
import { RepeatPetitionQueries, subjectKey } from '@hearth/read-models';
import type Redis from 'ioredis';
import { petitionerKey, repeatKeyId } from './petitioner-keys';

type Register = Extract<PetitionCommand, { type: 'RegisterPetition' }>;

export type RegistrationResult = { outcome: CommandOutcome; id: string; repeatOf?: string };

interface KeyOfPetitioner {
  petitionerKey: string;
  keyId: string;
  /** The person's privacy stream (SubjectErased voids the key's earlier claims). */
  subjectStream: string;
}

const CLAIM_ATTEMPTS = 4;

/**
 * Registers a petition under the repeat rule (信访工作条例 art. 19, 36), deciding from the log: the repeat-key streams
 * say which case holds the petitioner's key for the subject, the holder's own stream whether it still takes repeats.
 * The route itself is the domain's (`routeRegistration`): a submitter who may see the holder records the repeat on
 * it; anyone else gets a new case of their own unit, exactly as if there were no other case, and Hearth links that
 * case to the holder as `system`, caused by the registration (art. 46(5): the accused never learns of the accuser).
 */
@Injectable()
export class PetitionRegistration {
  constructor(
    private readonly commands: CommandBus,
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(RAW_EVENT_STORE) private readonly store: EventStore,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    this.legacyIndex = new RepeatPetitionQueries(redis, config.redisPrefix);
  }

  /** Finds cases registered before repeat keys existed; what it says is checked against the log before use. */
  private readonly legacyIndex: RepeatPetitionQueries;

  async register(command: Register, idNumbers: readonly string[], actor: Actor, meta: CommandMeta): Promise<RegistrationResult> {
    const id = command.petitionId;
    const keys = this.keysOf(idNumbers, command.subject);
    await this.adoptLegacyHolders(keys, command.subject, meta);
    let holders = await this.holdersOf(keys);
    const route = routeRegistration(id, [...holders.values()], actor, this.org.directory);
    if (route.kind === 'join') {
      // Its own command id: the registration's id stays free for the new case a retry may open if the holder closed.
      const out = await this.send(route.caseId, this.repeatOf(command), actor, { ...meta, commandId: derivedId(`repeat-join|${meta.commandId}`) });
      return { outcome: out, id: route.caseId, repeatOf: route.caseId };
    }
    const out = await this.send(id, command, actor, meta);
    if (route.kind === 'link') {
      await this.link(route.caseId, id, command, meta);
      return { outcome: out, id };
    }
    // A new case claims its keys; a claim lost to a simultaneous registration makes this case a repeat of the winner.
    for (const k of keys) {
      for (let attempt = 0; ; attempt++) {
        const seen = holders.get(k.keyId);
        const claim: RepeatKeyCommand = {
          type: 'ClaimRepeatKey',
          petitionId: id,
          orgUnit: command.orgUnit,
          ...(seen ? { seenHolder: seen.petitionId, seenHolderFacts: seen } : {}),
        };
        try {
          await this.runner.execute(repeatKeyDecider, k.keyId, claim, SYSTEM_ACTOR, {
            commandId: derivedId(`repeat-key-claim|${k.keyId}|${id}|${seen?.petitionId ?? ''}`),
            correlationId: meta.correlationId ?? meta.commandId,
            causationId: meta.commandId,
            cause: 'RegisterPetition',
          });
          break;
        } catch (err) {
          if (!(err instanceof DomainError && (err.code === 'REPEAT_KEY_CHANGED' || err.code === 'REPEAT_KEY_HELD')) || attempt >= CLAIM_ATTEMPTS) throw err;
          holders = await this.holdersOf(keys);
          const now = routeRegistration(id, [holders.get(k.keyId)].filter((h): h is RepeatHolderFacts => !!h), actor, this.org.directory);
          if (now.kind !== 'new') {
            await this.link(now.caseId, id, command, meta);
            return { outcome: out, id };
          }
        }
      }
    }
    return { outcome: out, id };
  }

  /** One repeat key per petitioner with an ID number: their blind index with the normalised subject. */
  private keysOf(idNumbers: readonly string[], subject: string): KeyOfPetitioner[] {
    const out = new Map<string, KeyOfPetitioner>();
    for (const n of idNumbers) {
      const pk = petitionerKey(n, this.config.blindIndexKey);
      out.set(pk, { petitionerKey: pk, keyId: repeatKeyId(pk, subject), subjectStream: `subject-${personSubjectId(n, this.config.blindIndexKey)}` });
    }
    return [...out.values()];
  }

  /**
   * A case registered before repeat keys existed holds no key stream: the old repeat index (a read model) names it,
   * and if its own registration in the log carries this petitioner's key and subject, Hearth claims the key for it,
   * so from then on the key stream decides. The index only suggests; nothing is decided from it.
   */
  private async adoptLegacyHolders(keys: readonly KeyOfPetitioner[], subject: string, meta: CommandMeta): Promise<void> {
    for (const k of keys) {
      if ((await this.runner.stateOf(repeatKeyDecider, k.keyId)).state.holder) continue;
      const candidate = await this.legacyIndex.find([k.petitionerKey], subject);
      if (!candidate) continue;
      const registered = (await this.store.readStream(`petition-${candidate}`, { maxCount: 1 }))[0];
      const d = registered?.type === 'PetitionRegistered' ? (registered.data as { subject?: string; petitionerKeys?: string[]; orgUnit?: string }) : undefined;
      if (!d?.subject || subjectKey(d.subject) !== subjectKey(subject) || !d.petitionerKeys?.includes(k.petitionerKey)) continue;
      await this.runner
        .execute(repeatKeyDecider, k.keyId, { type: 'ClaimRepeatKey', petitionId: candidate, orgUnit: d.orgUnit ?? '' }, SYSTEM_ACTOR, {
          commandId: derivedId(`repeat-key-adopt|${k.keyId}|${candidate}`),
          correlationId: meta.correlationId ?? meta.commandId,
          causationId: meta.commandId,
          cause: 'RepeatKeyAdopted',
        })
        // Claimed meanwhile by a registration: the key stream decides.
        .catch((err: unknown) => {
          if (!(err instanceof DomainError && (err.code === 'REPEAT_KEY_CHANGED' || err.code === 'REPEAT_KEY_HELD'))) throw err;
        });
    }
  }

  /** Key id → the facts of the case holding it, all read from the log. */
  private async holdersOf(keys: readonly KeyOfPetitioner[]): Promise<Map<string, RepeatHolderFacts>> {
    const out = new Map<string, RepeatHolderFacts>();
    for (const k of keys) {
      const { state } = await this.runner.stateOf(repeatKeyDecider, k.keyId);
      if (!state.holder) continue;
      const holder = (await this.runner.stateOf(petitionDecider, state.holder.petitionId)).state;
      const erased = (await this.store.readStream(k.subjectStream)).filter((e) => e.type === 'SubjectErased');
      const erasedAt = erased.map((e) => (e.data as { erasedAt?: string }).erasedAt).filter((t): t is string => !!t).sort().pop();
      out.set(k.keyId, { petitionId: state.holder.petitionId, state: holder, claimedAt: state.holder.claimedAt, ...(erasedAt ? { erasedAt } : {}) });
    }
    return out;
  }

  private repeatOf(command: Register): Extract<PetitionCommand, { type: 'RecordRepeatPetition' }> {
    return {
      type: 'RecordRepeatPetition',
      receivedAtOrgUnit: command.orgUnit,
      channel: command.channel,
      headcount: command.headcount,
      facts: command.facts,
      request: command.request,
      ...(command.petitionerKeys?.length ? { petitionerKeys: command.petitionerKeys } : {}),
    };
  }

  /** Hearth links the case registered at the receiving unit to the holder; idempotent per (holder, petition). */
  private async link(caseId: string, petitionId: string, command: Register, meta: CommandMeta): Promise<void> {
    const linkMeta: CommandMeta = {
      commandId: derivedId(`repeat-link|${caseId}|${petitionId}`),
      correlationId: meta.correlationId ?? meta.commandId,
      causationId: meta.commandId,
      cause: 'RepeatPetition',
    };
    try {
      await this.send(caseId, { ...this.repeatOf(command), linkedPetitionId: petitionId }, SYSTEM_ACTOR, linkMeta);
    } catch (err) {
      // Closed in the meantime: the registered case stands on its own, as if the holder had closed first.
      if (!(err instanceof DomainError && err.code === 'CASE_NOT_LINKABLE')) throw err;
    }
  }

  private send(id: string, command: PetitionCommand, actor: Actor, meta: CommandMeta): Promise<CommandOutcome> {
    return this.commands.execute<HandleCaseCommand, CommandOutcome>(new HandleCaseCommand('petition', id, command, actor, meta));
  }
}
