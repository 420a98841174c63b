import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_VARIABLES, ConfigError, configFromEnv, renderConfigTable } from '@hearth/platform';

const ROOT = resolve(__dirname, '../..');
const base = { HEARTH_JWT_SECRET: 'a-secret-of-some-length' };

describe('configuration schema', () => {
  it('keeps the README Configuration table equal to the schema', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const lines = (readme.split('\n## Configuration\n')[1] ?? '').split('\n');
    const first = lines.findIndex((l) => l.startsWith('|'));
    const end = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
    const table = lines.slice(first, end).join('\n');
    // On failure, paste renderConfigTable()'s output into the README.
    expect(table).toBe(renderConfigTable());
  });

  it('documents every environment variable the apps and libs read', () => {
    const read = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.spec.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/\benv(?:\[['"]|\.)([A-Z][A-Z0-9_]+)/g)) read.add(m[1]);
      }
    };
    walk(join(ROOT, 'apps'));
    walk(join(ROOT, 'libs'));
    expect([...read].filter((v) => !(v in CONFIG_VARIABLES)).sort()).toEqual([]);
  });

  it('stops on a bad port, naming the variable and the value', () => {
    expect(() => configFromEnv({ ...base, HEARTH_PORT: '30OO' })).toThrow(ConfigError);
    expect(() => configFromEnv({ ...base, HEARTH_PORT: '30OO' })).toThrow(/HEARTH_PORT: expected an integer port 1–65535, got "30OO"/);
    expect(() => configFromEnv({ ...base, HEARTH_PORT: '70000' })).toThrow(/HEARTH_PORT/);
  });

  it('names every bad variable at once and never echoes a secret', () => {
    let err: unknown;
    try {
      configFromEnv({ HEARTH_JWT_SECRET: 'short-secret', HEARTH_EMBEDDED_WORKER: 'maybe', HEARTH_LOG_LEVEL: 'verbose', REDIS_URL: 'http://user:pw@host' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect((err as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['HEARTH_EMBEDDED_WORKER', 'HEARTH_JWT_SECRET', 'HEARTH_LOG_LEVEL', 'REDIS_URL']);
    expect(message).not.toContain('short-secret');
    expect(message).not.toContain('pw@host');
    expect(message).toContain('"maybe"');
  });

  it('requires the JWT secret and a connection string for esdb', () => {
    expect(() => configFromEnv({})).toThrow(/HEARTH_JWT_SECRET: required/);
    expect(() => configFromEnv({ ...base, HEARTH_EVENT_STORE: 'esdb' })).toThrow(/HEARTH_EVENT_STORE: esdb needs EVENTSTORE_CONNECTION_STRING/);
  });

  it('applies the defaults and types', () => {
    const c = configFromEnv({ ...base, HEARTH_EMBEDDED_WORKER: 'off', HEARTH_COMMAND_RETRIES: '0', HEARTH_REDIS_PREFIX: 'b:' });
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', embeddedWorker: false, commandRetries: 0, redisPrefix: 'b:', bullPrefix: 'b:bull', readyMaxLag: 10_000, logLevel: 'info' });
    expect(configFromEnv(base).bullPrefix).toBe('hearth-bull');
    expect(configFromEnv({ ...base, HEARTH_PORT: '', PORT: '8080' }).port).toBe(8080);
  });
});
