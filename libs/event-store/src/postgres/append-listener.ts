import { EventEmitter } from 'node:events';
import { Client, ClientConfig } from 'pg';
import { APPENDED_CHANNEL } from './schema';

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to other queries): a NOTIFY from any process's
 * append wakes this process's caught-up subscriptions at once. Only a wake-up: notifications can be lost (the
 * connection drops, it is not yet listening), so subscriptions keep polling behind it and never rely on it.
 * Reconnects by itself with a backoff while it is wanted.
 */
export class AppendListener {
  private readonly wake = new EventEmitter();
  private client?: Client;
  private running = false;
  private retryTimer?: NodeJS.Timeout;
  private backoffMs = 100;

  constructor(private readonly config: ClientConfig) {
    this.wake.setMaxListeners(0);
  }

  /** Starts listening (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  on(listener: () => void): void {
    this.wake.on('notified', listener);
  }

  off(listener: () => void): void {
    this.wake.off('notified', listener);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const client = new Client(this.config);
    this.client = client;
    const retry = () => {
      if (this.client !== client) return;
      this.client = undefined;
      void client.end().catch(() => undefined);
      if (!this.running) return;
      this.retryTimer = setTimeout(() => void this.connect(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 5_000);
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', () => this.wake.emit('notified'));
    try {
      await client.connect();
      await client.query(`LISTEN ${APPENDED_CHANNEL}`);
      this.backoffMs = 100;
      // Appends made while we were not listening: let the subscriptions look.
      this.wake.emit('notified');
    } catch {
      retry();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    this.wake.removeAllListeners();
    await c?.end().catch(() => undefined);
  }
}
