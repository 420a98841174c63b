import type { LocalDate } from '../calendar/local-date';
import type { MediationCommand } from './mediation.commands';
import type { ApplicationForm, Claim, Employer, MediationWorker } from './mediation.events';

/**
 * What a petition routed out to mediation (信访 → 劳动争议调解) records for the mediation case: the parts of an
 * application (LDMAL art. 12) a petition does not already hold. Personal data (PIPL): `workers` and `employer`.
 */
export interface MediationRouting {
  employer: Employer;
  claims: Claim[];
  /** The day the dispute arose (arbitration limitation, LDMAL art. 27). */
  disputeDate: LocalDate;
  workers: MediationWorker[];
  /** Workers on the applying side; default: the petition's headcount, at least the workers named. */
  headcount?: number;
  /** The workers share a common claim (LDMAL art. 7); default false. */
  commonClaim?: boolean;
  /** Worker ids of the elected representatives (collective cases). */
  representatives?: string[];
  /** Default `written`: the petition file is the written application. */
  form?: ApplicationForm;
}

/** The petition's own registered data the application is built from. */
export interface RoutedPetition {
  petitionId: string;
  /** The unit the petition belonged to when it was routed out: the mediation case opens there. */
  orgUnit: string;
  headcount: number;
  facts: string;
}

export type ApplyForMediationCommand = Extract<MediationCommand, { type: 'ApplyForMediation' }>;

/** A plain copy of the known fields only (input may come from HTTP), in a stable order. */
export function normalizeRouting(r: MediationRouting): MediationRouting {
  const employer = r.employer ?? ({} as Employer);
  return {
    employer: { name: employer.name, ...(employer.creditCode ? { creditCode: employer.creditCode } : {}) },
    claims: (r.claims ?? []).map((c) => ({ type: c.type, amountYuan: c.amountYuan })),
    disputeDate: r.disputeDate,
    workers: (r.workers ?? []).map((w) => ({
      workerId: w.workerId,
      name: w.name,
      ...(w.idNumber ? { idNumber: w.idNumber } : {}),
      ...(w.phone ? { phone: w.phone } : {}),
      migrantWorker: w.migrantWorker === true,
    })),
    ...(r.headcount !== undefined ? { headcount: r.headcount } : {}),
    ...(r.commonClaim !== undefined ? { commonClaim: r.commonClaim === true } : {}),
    ...(r.representatives !== undefined ? { representatives: [...r.representatives] } : {}),
    ...(r.form !== undefined ? { form: r.form } : {}),
  };
}

/**
 * The ApplyForMediation that opens the mediation case of a petition routed out to mediation. Pure: the petition
 * decider dry-runs it when the route-out is decided (so a route-out the mediation workflow would refuse is refused
 * then), and the petition-to-mediation process manager dispatches it.
 */
export function applicationFromPetition(mediationId: string, petition: RoutedPetition, routing: MediationRouting): ApplyForMediationCommand {
  const r = normalizeRouting(routing);
  return {
    type: 'ApplyForMediation',
    mediationId,
    orgUnit: petition.orgUnit,
    form: r.form ?? 'written',
    workers: r.workers,
    employer: r.employer,
    facts: petition.facts,
    claims: r.claims,
    headcount: r.headcount ?? Math.max(petition.headcount, r.workers.length),
    commonClaim: r.commonClaim ?? false,
    ...(r.representatives ? { representatives: r.representatives } : {}),
    disputeDate: r.disputeDate,
    fromPetition: { petitionId: petition.petitionId },
  };
}
