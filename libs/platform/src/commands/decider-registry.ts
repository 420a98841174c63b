import { Decider, DomainEvent, fundDecider, hardshipFileDecider, mediationDecider, petitionDecider } from '@hearth/domain';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDecider = Decider<any, DomainEvent, any>;

/** Stream category → decider. Timers and escalation acknowledgements route through here. */
export const DECIDERS: ReadonlyMap<string, AnyDecider> = new Map<string, AnyDecider>(
  [petitionDecider, mediationDecider, hardshipFileDecider, fundDecider].map((d) => [d.category, d as AnyDecider]),
);

export type CaseCategory = 'petition' | 'mediation' | 'hardship' | 'fund';

export function deciderForStream(streamId: string): { decider: AnyDecider; id: string } | undefined {
  const dash = streamId.indexOf('-');
  if (dash < 0) return undefined;
  const decider = DECIDERS.get(streamId.slice(0, dash));
  return decider ? { decider, id: streamId.slice(dash + 1) } : undefined;
}
