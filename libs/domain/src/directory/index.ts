export * from './directory.events';
export * from './directory.commands';
export * from './directory-authority';
export * from './unit.decider';
export * from './user.decider';
export * from './directory-projection';
export * from './password-policy';
export * from './sign-in.decider';
