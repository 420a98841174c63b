export * from './petition.events';
export * from './petition.commands';
export * from './petition.state';
export * from './petition.decider';
export * from './repeat-key.decider';
