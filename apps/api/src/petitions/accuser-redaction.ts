import type { Actor, OrgDirectory } from '@hearth/domain';

/** Fields of event data that name petitioners: replaced by placeholders (how many, never who). */
const IDENTITY_FIELDS = new Set(['petitioners', 'workers']);
/** Fields dropped altogether: blind-index keys would let the accused org match the accuser elsewhere. */
const DROPPED_FIELDS = new Set(['petitionerKeys']);

function redactData(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (DROPPED_FIELDS.has(k)) continue;
    if (!IDENTITY_FIELDS.has(k)) out[k] = v && typeof v === 'object' && !Array.isArray(v) ? redactData(v) : v;
    // Keep how many there were (headcounts are not identities), never who.
    else if (Array.isArray(v)) out[k] = v.map(() => ({ redacted: true }));
  }
  return out;
}

/** The accused org of an accusation (检举控告), from its registration; undefined for any other case. */
export function accusedOrgOf(events: ReadonlyArray<{ type: string; data: unknown }>): string | undefined {
  const reg = events.find((e) => e.type === 'PetitionRegistered')?.data as { category?: string; accusedOrgUnit?: string } | undefined;
  return reg?.category === 'accusation' ? reg.accusedOrgUnit : undefined;
}

/**
 * 信访工作条例 art. 46(5): an accusation never shows the accuser's identity to the accused. Users whose unit lies
 * within the accused org (the unit or below it) get the case history with every petitioner replaced by
 * `{ redacted: true }` and no blind-index keys; everyone else gets it as recorded. The list and detail read models
 * hold no petitioner identity at all.
 */
export function redactAccuserFor<H extends { events: Array<{ type: string; data: unknown }> }>(h: H, actor: Actor, org: OrgDirectory): H & { accuserRedacted?: true } {
  const accused = accusedOrgOf(h.events);
  if (!accused || !org.isWithin(actor.orgUnit, accused)) return h;
  return { ...h, accuserRedacted: true, events: h.events.map((e) => ({ ...e, data: redactData(e.data) })) };
}
