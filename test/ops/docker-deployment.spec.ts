import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * The several-host deployment as files (issue 18, docker/): no Docker engine runs here, so these are the properties of
 * the compose file, the proxy and the build context that a review found broken — checked on what the files say.
 */
const ROOT = resolve(__dirname, '../..');
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');

interface Service {
  image?: string;
  ports?: string[];
  expose?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string; required?: boolean }>;
}
const compose = parse(read('docker/docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const s = compose.services;

describe('docker deployment files', () => {
  it('publishes only the proxy (and the opt-in monitoring), so `--scale api=3` can start', () => {
    const published = Object.entries(s)
      .filter(([, svc]) => svc.ports?.length && !svc.profiles?.includes('monitoring'))
      .map(([name]) => name);
    expect(published).toEqual(['proxy']);
    expect(s.api.expose).toEqual(['3000']);
  });

  it('proxies to every api replica and passes the alert stream unbuffered', () => {
    const nginx = read('docker/proxy/nginx.conf');
    expect(nginx).toMatch(/resolver 127\.0\.0\.11/);
    expect(nginx).toMatch(/set \$api http:\/\/api:3000;/);
    const stream = nginx.slice(nginx.indexOf('location = /alerts/stream'));
    expect(stream).toMatch(/proxy_buffering off;/);
    expect(s.api.environment?.HEARTH_TRUST_PROXY).toBe('1');
  });

  it('puts the log and the key store on PostgreSQL by default, the key store on PostgreSQL with EventStoreDB too', () => {
    expect(s.api.environment?.HEARTH_EVENT_STORE).toBe('${HEARTH_EVENT_STORE:-postgres}');
    expect(s.api.environment?.HEARTH_KEY_STORE).toBe('postgres');
    expect(s.worker.environment).toEqual(s.api.environment);
    expect(s.postgres.profiles).toBeUndefined();
    expect(s.api.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(s.api.depends_on?.['esdb-user']).toEqual({ condition: 'service_completed_successfully', required: false });
  });

  it('runs EventStoreDB secure, unpublished, and Hearth as its own user', () => {
    const es = s.eventstore;
    expect(es.profiles).toEqual(['esdb']);
    expect(es.ports).toBeUndefined();
    expect(es.environment?.EVENTSTORE_INSECURE).toBeUndefined();
    expect(es.environment?.EVENTSTORE_CERTIFICATE_FILE).toBeDefined();
    expect(es.environment?.EVENTSTORE_DEFAULT_ADMIN_PASSWORD).toBe('${ESDB_ADMIN_PASSWORD:-}');
    expect(s.api.environment?.EVENTSTORE_CONNECTION_STRING).toMatch(/^esdb:\/\/hearth:.*tls=true/);
  });

  it('health-checks the api and the worker', () => {
    expect(s.api.healthcheck?.test.join(' ')).toContain('/health/ready');
    expect(s.worker.healthcheck?.test.join(' ')).toContain(s.api.environment!.HEARTH_WORKER_METRICS_PORT);
  });

  it('keeps data, secrets and dependencies out of the build context, on a current Node LTS', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['data', '**/data', '*.sqlite', '.env', 'node_modules', '.git']) expect(ignored).toContain(p);
    const froms = [...read('docker/Dockerfile').matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]));
    expect(froms.length).toBe(2);
    for (const major of froms) expect(major % 2 === 0 && major >= 22).toBe(true);
  });
});
