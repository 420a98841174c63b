import { ServiceUnavailableException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Actor, DisplayFacts, mayShowPersonal, personalFieldKind, PersonalDataRevealed } from '@hearth/domain';
import { derivedId, EventStore } from '@hearth/event-store';
import { Clock, Envelope, envelopesIn, ERASED, KeyCache, PersonalDataCipher } from '@hearth/platform';

/** The log stream of a subject's privacy events (requests, erasures, reveals): no personal data in it. */
export const subjectStream = (subjectId: string): string => `subject-${subjectId}`;

/** What a masked value shows: whose it is and what it is to the case, never the value. */
export interface MaskedValue {
  personal: true;
  subjectId: string;
  role: string;
}

/** An event of a case view whose data still holds envelopes (read from the encrypted log, never decrypted). */
export interface SealedEntry {
  revision: number;
  eventId: string;
  type: string;
  data: unknown;
}

type Placed = { entry: number; pointer: string; envelope: Envelope; kind: string; show: boolean };

const escape = (seg: string): string => seg.replace(/~/g, '~0').replace(/\//g, '~1');

/** A copy of `value` with the value at each JSON pointer replaced. */
function replaceAt(value: unknown, replacements: ReadonlyMap<string, unknown>, pointer = ''): unknown {
  if (replacements.has(pointer)) return replacements.get(pointer);
  if (Array.isArray(value)) return value.map((v, i) => replaceAt(v, replacements, `${pointer}/${i}`));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceAt(v, replacements, `${pointer}/${escape(k)}`)]));
  return value;
}

/**
 * Applies the personal-data display policy (libs/domain/src/privacy/personal-data-display.ts) to a case view:
 * values the reader needs are decrypted, everything else is masked as `{ personal, subjectId, role }`, and an erased
 * subject's values read `[erased]` whatever the role. A `PersonalDataRevealed` per subject is appended to
 * `subject-<id>` before any plaintext is returned; when that append fails, the view fails (503) and nothing is shown.
 */
export class PersonalDataDisclosure {
  constructor(
    private readonly cipher: PersonalDataCipher,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async disclose<E extends SealedEntry>(streamId: string, entries: readonly E[], actor: Actor, facts: DisplayFacts, purpose: string): Promise<E[]> {
    const placed: Placed[] = [];
    entries.forEach((e, entry) => {
      for (const { pointer, envelope } of envelopesIn(e.data)) {
        const kind = personalFieldKind(envelope.r, pointer);
        placed.push({ entry, pointer, envelope, kind, show: mayShowPersonal(actor.role, kind, facts) });
      }
    });
    if (!placed.length) return [...entries];

    const cache: KeyCache = new Map();
    const replacements = entries.map(() => new Map<string, unknown>());
    const revealed = new Map<string, PersonalDataRevealed['data']['fields']>();
    for (const p of placed) {
      const e = entries[p.entry];
      if (p.show) {
        const opened = await this.cipher.openEnvelope(p.envelope, streamId, e.eventId, p.pointer, cache);
        if (opened.erased) replacements[p.entry].set(p.pointer, ERASED);
        else {
          replacements[p.entry].set(p.pointer, opened.value);
          const fields = revealed.get(p.envelope.s) ?? [];
          fields.push({ stream: streamId, revision: e.revision, eventType: e.type, path: p.pointer, kind: p.kind });
          revealed.set(p.envelope.s, fields);
        }
      } else {
        const erased = !(await this.keyExists(p.envelope.k, cache));
        replacements[p.entry].set(p.pointer, erased ? ERASED : ({ personal: true, subjectId: p.envelope.s, role: p.envelope.r } satisfies MaskedValue));
      }
    }
    if (revealed.size) await this.logReveals(revealed, actor, purpose);
    return entries.map((e, i) => (replacements[i].size ? { ...e, data: replaceAt(e.data, replacements[i]) } : e));
  }

  private async keyExists(keyId: string, cache: KeyCache): Promise<boolean> {
    let key = cache.get(keyId);
    if (key === undefined) {
      key = (await this.cipher.keys.keyById(keyId)) ?? null;
      cache.set(keyId, key);
    }
    return key !== null;
  }

  /** One PersonalDataRevealed per subject, all in the log before the caller may return any plaintext. */
  private async logReveals(revealed: ReadonlyMap<string, PersonalDataRevealed['data']['fields']>, actor: Actor, purpose: string): Promise<void> {
    const now = this.clock.now().toISOString();
    const readId = randomUUID();
    try {
      await Promise.all(
        [...revealed].map(([subjectId, fields]) => {
          const data: PersonalDataRevealed['data'] = { subjectId, fields, reason: '经办需要：查看案件记录', purpose, revealedBy: actor.id, revealedAt: now };
          return this.store.append(
            subjectStream(subjectId),
            [
              {
                id: derivedId(`${readId}|${subjectId}`),
                type: 'PersonalDataRevealed',
                data,
                metadata: {
                  actorId: actor.id,
                  role: actor.role,
                  orgUnit: actor.orgUnit,
                  occurredAt: now,
                  commandId: readId,
                  correlationId: readId,
                  causationId: readId,
                  schemaVersion: 1,
                  cause: 'DisplayPersonalData',
                },
              },
            ],
            'any',
          );
        }),
      );
    } catch {
      // The statute wants every decryption for display on record: no record, no plaintext.
      throw new ServiceUnavailableException({ code: 'REVEAL_NOT_LOGGED', message: '个人信息查看记录未能写入日志，暂不显示，请稍后重试' });
    }
  }
}
