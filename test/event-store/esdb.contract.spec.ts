import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError as EsdbStreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EsdbEventStore, WrongExpectedRevisionError } from '@hearth/event-store';
import {
  isStreamNotFound,
  mapAppendError,
  toEsdbExpected,
  toEsdbPosition,
} from '@hearth/event-store/esdb/esdb-event-store';
import { runEventStoreContract } from './event-store.contract';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  runEventStoreContract('EsdbEventStore', async () => {
    const store = new EsdbEventStore({ connectionString });
    return { store, cleanup: () => store.close() };
  });
} else {
  console.warn(
    '[esdb contract] SKIPPED: EVENTSTORE_CONNECTION_STRING is not set; no EventStoreDB server on this machine',
  );
  describe.skip('EsdbEventStore: event store contract (needs EVENTSTORE_CONNECTION_STRING)', () => {
    it('runs against a real EventStoreDB server', () => undefined);
  });
}

describe('EsdbEventStore without a server', () => {
  it('constructs from a connection string without connecting, and closes cleanly', async () => {
    // Nothing listens on port 1: any connection attempt would fail or hang.
    const store = new EsdbEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false' });
    const t0 = Date.now();
    await store.close();
    expect(Date.now() - t0).toBeLessThan(1_000);
    await store.close(); // idempotent
    await expect(store.readStream('petition-x')).rejects.toThrow(/closed/);
  });

  it('rejects an invalid connection string at construction', () => {
    expect(() => new EsdbEventStore({ connectionString: 'http://nope' })).toThrow();
  });

  it('maps the client\'s WrongExpectedVersionError to WrongExpectedRevisionError (actual -1 for no stream)', () => {
    const existing = new WrongExpectedVersionError(undefined, {
      streamName: 'petition-1',
      expected: BigInt(3),
      current: BigInt(5),
    });
    const mapped = mapAppendError(existing, 'petition-1', 3);
    expect(mapped).toBeInstanceOf(WrongExpectedRevisionError);
    expect(mapped).toMatchObject({ streamId: 'petition-1', expected: 3, actual: 5 });

    const missing = new WrongExpectedVersionError(undefined, {
      streamName: 'petition-2',
      expected: STREAM_EXISTS,
      current: NO_STREAM,
    });
    expect(mapAppendError(missing, 'petition-2', 'stream_exists')).toMatchObject({
      streamId: 'petition-2',
      expected: 'stream_exists',
      actual: -1,
    });

    const other = new UnavailableError();
    expect(mapAppendError(other, 'petition-3', 'any')).toBe(other);
    const plain = new Error('boom');
    expect(mapAppendError(plain, 'petition-3', 'any')).toBe(plain);
  });

  it('recognises the client\'s StreamNotFoundError (read of a missing stream → [])', () => {
    expect(isStreamNotFound(new EsdbStreamNotFoundError(undefined, 'petition-404'))).toBe(true);
    expect(isStreamNotFound(new Error('stream petition-404 not found'))).toBe(false);
  });

  it('maps expected revisions and positions to the client\'s types', () => {
    expect(toEsdbExpected('any')).toBe(ANY);
    expect(toEsdbExpected('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpected('stream_exists')).toBe(STREAM_EXISTS);
    expect(toEsdbExpected(0)).toBe(BigInt(0));
    expect(toEsdbExpected(41)).toBe(BigInt(41));
    expect(toEsdbPosition(123456)).toEqual({ commit: BigInt(123456), prepare: BigInt(123456) });
  });

  it('validates expected revisions before touching the network', async () => {
    const store = new EsdbEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false' });
    try {
      await expect(store.append('petition-x', [], -1 as unknown as 'any')).rejects.toBeInstanceOf(TypeError);
      await expect(store.append('petition-x', [], 1.5)).rejects.toBeInstanceOf(TypeError);
    } finally {
      await store.close();
    }
  });
});
