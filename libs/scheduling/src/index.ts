export * from './deadline-jobs';
export * from './deadline-scheduler';
export * from './deadline-timer-worker';
