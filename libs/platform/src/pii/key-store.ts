/**
 * Crypto-shredding key store (domain-spec §5). Durable and authoritative — never Redis, which holds only what the
 * log can rebuild: losing a key here loses the personal data it protects, and deleting it is how personal data is
 * erased. Data keys are random (32 bytes) and stored wrapped by the master key (HEARTH_MASTER_KEY).
 */

/** Who a subject is: one person (across cases when known by ID number), a household's shared data, or a case's shared narrative. */
export type SubjectKind = 'person' | 'household' | 'case';

export interface DataKey {
  keyId: string;
  subjectId: string;
  /** 32 bytes, AES-256-GCM. Never persisted unwrapped. */
  key: Buffer;
}

/** One blind-index value (keyed hash of an ID number) tied to a subject and the stream it was recorded in. */
export interface BlindIndexEntry {
  scope: string;
  value: string;
  subjectId: string;
  streamId: string;
}

/** What an append registers for one subject: its key use, the stream, the blind-index values. */
export interface SubjectUse {
  subjectId: string;
  kind: SubjectKind;
  streamId: string;
  blindIndexes: ReadonlyArray<{ scope: string; value: string }>;
}

export interface SubjectInfo {
  subjectId: string;
  kind: SubjectKind;
  createdAt: string;
  /** Key ids still held (empty once erased and not used again since). */
  keyIds: string[];
  streams: string[];
  blindIndexes: BlindIndexEntry[];
  erasures: ErasureRecord[];
}

/** An erasure as the key store keeps it: the SubjectErased event to append, and whether it is in the log yet. */
export interface ErasureRecord {
  erasureId: string;
  subjectId: string;
  erasedAt: string;
  /** Data of the SubjectErased event (no personal data). */
  event: Record<string, unknown>;
  /** Metadata of the SubjectErased event. */
  metadata: Record<string, unknown>;
  logged: boolean;
}

export interface KeyStore {
  /** The subject's current data key; created (random, stored wrapped) when it has none, e.g. first use or after an erasure. */
  currentKey(subjectId: string, kind: SubjectKind): Promise<DataKey>;
  /** A data key by id: undefined once its subject was erased. */
  keyById(keyId: string): Promise<DataKey | undefined>;
  /** Records which streams a subject's data sits in and its blind-index values (idempotent). */
  registerUse(uses: readonly SubjectUse[]): Promise<void>;
  /**
   * `currentKey` for each subject and `registerUse(uses)` together: whatever must be written (new keys, new uses) is
   * written in one transaction, so encrypting an event costs at most one durable write of the key store.
   */
  keysFor(subjects: ReadonlyArray<{ subjectId: string; kind: SubjectKind }>, uses: readonly SubjectUse[]): Promise<Map<string, DataKey>>;
  hasBlindIndex(scope: string, value: string): Promise<boolean>;
  subject(subjectId: string): Promise<SubjectInfo | undefined>;
  /**
   * Destroys every key of the subject and its blind-index entries, and records the erasure with the event to append,
   * in one transaction; `build` gets what was destroyed and returns the event's data and metadata.
   * Undefined (nothing destroyed) when the subject holds no key.
   */
  erase(
    subjectId: string,
    build: (destroyed: { erasureId: string; keyIds: string[]; streams: string[]; blindIndexes: BlindIndexEntry[]; kind: SubjectKind }) => {
      event: Record<string, unknown>;
      metadata: Record<string, unknown>;
      erasedAt: string;
    },
  ): Promise<ErasureRecord | undefined>;
  /** Erasures whose SubjectErased event is not known to be in the log yet (a crash between the two steps). */
  unloggedErasures(): Promise<ErasureRecord[]>;
  markErasureLogged(erasureId: string): Promise<void>;
  close(): Promise<void>;
}

export const KEY_STORE = Symbol('KEY_STORE');
