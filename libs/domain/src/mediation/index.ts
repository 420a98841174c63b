export * from './mediation.events';
export * from './mediation.commands';
export * from './mediation.state';
export * from './mediation.decider';
export * from './from-petition';
