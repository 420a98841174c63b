import { configFromEnv } from '@hearth/platform';

const base = { HEARTH_JWT_SECRET: 'a-secret-of-some-length' };

describe('PostgreSQL configuration', () => {
  it('HEARTH_POSTGRES_URL alone puts the log and the key store on PostgreSQL', () => {
    const c = configFromEnv({ ...base, HEARTH_POSTGRES_URL: 'postgres://hearth@db:5432/hearth' });
    expect(c).toMatchObject({ eventStore: 'postgres', keyStore: 'postgres', postgresUrl: 'postgres://hearth@db:5432/hearth' });
    expect(configFromEnv(base)).toMatchObject({ eventStore: 'sqlite', keyStore: 'sqlite' });
  });

  it('postgres without a URL, or a URL that is not postgres://, stops the process naming the variable (never the URL)', () => {
    expect(() => configFromEnv({ ...base, HEARTH_EVENT_STORE: 'postgres' })).toThrow(/HEARTH_EVENT_STORE: postgres needs HEARTH_POSTGRES_URL/);
    expect(() => configFromEnv({ ...base, HEARTH_KEY_STORE: 'postgres' })).toThrow(/HEARTH_KEY_STORE: postgres needs HEARTH_POSTGRES_URL/);
    let message = '';
    try {
      configFromEnv({ ...base, HEARTH_POSTGRES_URL: 'mysql://u:secretpw@db/x' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/HEARTH_POSTGRES_URL: expected a postgres:\/\/ URL/);
    expect(message).not.toContain('secretpw');
  });

  it('the log can stay on EventStoreDB while the keys are shared on PostgreSQL', () => {
    const c = configFromEnv({ ...base, HEARTH_EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false', HEARTH_POSTGRES_URL: 'postgres://h@db/h' });
    expect(c).toMatchObject({ eventStore: 'esdb', keyStore: 'postgres' });
  });
});
