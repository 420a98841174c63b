export * from './personal-data-display';
export * from './subject.events';
export * from './subject.commands';
export * from './subject.decider';
