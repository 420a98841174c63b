import type Redis from 'ioredis';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * "Each subscription runs once at a time": a lease in Redis, held by one process and renewed while it
 * lives. If Redis is flushed the key simply disappears and the holder takes it again on its next renewal.
 */
export class RedisLease {
  constructor(
    private readonly redis: Redis,
    readonly name: string,
    readonly holder: string,
    readonly ttlMs = 10_000,
    /** The deployment's Redis prefix (HEARTH_REDIS_PREFIX): two deployments on one Redis hold separate leases. */
    readonly keyPrefix = 'hearth:',
  ) {}

  /** `<prefix>lease:<name>`; the default prefix keeps the historical `hearth:lease:<name>`. */
  get key(): string {
    return `${this.keyPrefix}lease:${this.name}`;
  }

  /** True when this holder has (or just took) the lease. */
  async acquire(): Promise<boolean> {
    const ok = await this.redis.set(this.key, this.holder, 'PX', this.ttlMs, 'NX');
    if (ok === 'OK') return true;
    return (await this.renew()) || (await this.redis.set(this.key, this.holder, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  async renew(): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.key, this.holder, String(this.ttlMs))) === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.holder);
  }
}
