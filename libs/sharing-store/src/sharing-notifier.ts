// Wake-ups for followers of a recipient's feed (SSE): SharingStore.record NOTIFYs inside its
// transaction, so a notice arrives only once the copies are readable. Notices are hints, not data:
// after a lost session (when some may have been missed) every waiter is woken to re-read.
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { pooledSession } from '@caravan/database';
import { DELIVERIES_CHANNEL } from './sharing-store.js';

/** A new delivery to `recipient`, up to `position`. */
export interface DeliveryNotice {
  readonly recipient: string;
  readonly position: number;
}

type Listener = (notice: DeliveryNotice | 'resync') => void;

/** LISTENs on the deliveries channel over one session of the DataSource's pool. */
export class SharingNotifier {
  private client: pg.PoolClient | undefined;
  private release: ((error?: unknown) => void) | undefined;
  private readonly listeners = new Set<Listener>();
  private closed = false;
  private reconnecting: NodeJS.Timeout | undefined;

  private constructor(private readonly dataSource: DataSource) {}

  /** Starts listening; holds one pooled session until closed. */
  static async listen(dataSource: DataSource): Promise<SharingNotifier> {
    const notifier = new SharingNotifier(dataSource);
    await notifier.connect();
    return notifier;
  }

  /** Calls `listener` for every notice, or with 'resync' after a reconnect; returns the unsubscribe function. */
  onDelivery(listener: (notice: DeliveryNotice | 'resync') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves true once `recipient` has a delivery after `position` (checked in the table after
   * subscribing, so nothing committed between the caller's last read and this wait is missed), or
   * false when `timeoutMs` (default 30 s) passes or `signal` aborts. After a reconnect it resolves
   * true: the caller re-reads and finds out.
   */
  waitForDeliveryAfter(
    recipient: string,
    position: number,
    options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
  ): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let settled = false;
      const finish = (value: boolean, error?: unknown) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (error !== undefined) reject(error instanceof Error ? error : new Error('the deliveries query failed'));
        else resolve(value);
      };
      const unsubscribe = this.onDelivery((notice) => {
        if (notice === 'resync' || (notice.recipient === recipient && notice.position > position)) finish(true);
      });
      const onAbort = () => finish(false);
      options.signal?.addEventListener('abort', onAbort);
      const timer = setTimeout(() => finish(false), options.timeoutMs ?? 30_000);
      if (options.signal?.aborted) onAbort();
      this.dataSource
        .query('SELECT 1 FROM sharing_deliveries WHERE recipient = $1 AND position > $2 LIMIT 1', [recipient, position])
        .then(
          (rows: unknown[]) => {
            if (rows.length > 0) finish(true);
          },
          (error: unknown) => finish(false, error),
        );
    });
  }

  /** Stops listening and gives the session back. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnecting);
    const release = this.release;
    this.client = undefined;
    this.release = undefined;
    // Destroyed rather than pooled: the session carries a LISTEN no other user expects.
    release?.(new Error('sharing notifier closed'));
  }

  private async connect(): Promise<void> {
    // LISTEN needs a session of its own.
    const { client, release } = await pooledSession(this.dataSource);
    client.on('notification', (message) => {
      if (message.channel !== DELIVERIES_CHANNEL || !message.payload) return;
      const notice = parseNotice(message.payload);
      if (notice) this.emit(notice);
    });
    const lost = (error: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.release = undefined;
      release(error);
      if (!this.closed) this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('the deliveries notification session ended')));
    try {
      await client.query(`LISTEN ${DELIVERIES_CHANNEL}`);
    } catch (error) {
      release(error instanceof Error ? error : true);
      throw error;
    }
    if (this.closed) {
      release(new Error('sharing notifier closed'));
      return;
    }
    this.client = client;
    this.release = release;
  }

  private emit(notice: DeliveryNotice | 'resync'): void {
    for (const listener of [...this.listeners]) listener(notice);
  }

  private scheduleReconnect(): void {
    this.reconnecting = setTimeout(() => {
      this.connect().then(
        () => this.emit('resync'),
        () => {
          if (!this.client && !this.closed) this.scheduleReconnect();
        },
      );
    }, 1000);
    this.reconnecting.unref();
  }
}

function parseNotice(payload: string): DeliveryNotice | undefined {
  try {
    const parsed = JSON.parse(payload) as { recipient?: unknown; position?: unknown };
    if (typeof parsed.recipient === 'string' && typeof parsed.position === 'number') {
      return { recipient: parsed.recipient, position: parsed.position };
    }
  } catch {
    // Not ours: ignore.
  }
  return undefined;
}
