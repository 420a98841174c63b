import { ConfigError, trustProxyFromEnv } from '@hearth/platform';

describe('HEARTH_TRUST_PROXY (Fastify trustProxy behind docker/proxy)', () => {
  it('is off when unset, a hop count when a number, the addresses otherwise', () => {
    expect(trustProxyFromEnv({})).toBeUndefined();
    expect(trustProxyFromEnv({ HEARTH_TRUST_PROXY: '' })).toBeUndefined();
    expect(trustProxyFromEnv({ HEARTH_TRUST_PROXY: '1' })).toBe(1);
    expect(trustProxyFromEnv({ HEARTH_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' })).toBe('10.0.0.0/8, 127.0.0.1');
  });

  it('refuses anything else with the variable named', () => {
    expect(() => trustProxyFromEnv({ HEARTH_TRUST_PROXY: 'yes please' })).toThrow(ConfigError);
    expect(() => trustProxyFromEnv({ HEARTH_TRUST_PROXY: 'true' })).toThrow(/HEARTH_TRUST_PROXY/);
  });
});
