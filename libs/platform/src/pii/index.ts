export * from './blind-index';
export * from './key-store';
export { parseMasterKey, masterKeyCheck } from './master-key';
export * from './sqlite-key-store';
export * from './postgres-key-store';
export * from './copy-sqlite-keys';
export * from './personal-data-policy';
export * from './personal-data-cipher';
export * from './encrypting-event-store';

/** The log as stored: personal values encrypted (tamper-evidence checks, privacy listings, raw reads in tests). */
export const RAW_EVENT_STORE = Symbol('RAW_EVENT_STORE');
/** The log as projections and the deadline scheduler read it: upcast, personal values still encrypted. */
export const PROJECTION_EVENT_STORE = Symbol('PROJECTION_EVENT_STORE');
export const PERSONAL_DATA_CIPHER = Symbol('PERSONAL_DATA_CIPHER');
