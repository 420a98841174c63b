import { petitionRegisteredV1 } from './petition-registered.v1';
import { UpcasterRegistry } from './upcaster';

export * from './upcaster';
export * from './upcasting-event-store';
export { splitContact, petitionRegisteredV1 } from './petition-registered.v1';

/** Every upcaster Hearth ships, in one registry (add new steps here; gaps fail at start-up). */
export const hearthUpcasters = (): UpcasterRegistry => new UpcasterRegistry([petitionRegisteredV1]).assertComplete();
