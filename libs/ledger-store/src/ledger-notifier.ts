// Wake-ups for followers (the outbox relay, the distributor, SSE feeds): the writer NOTIFYs the new
// head inside its batch transaction, so a notification arrives only after the events are visible.
// Notifications are hints, not data: after a reconnect (when some may have been missed) every
// waiter is woken to re-read from its own position.
import type { DataSource } from 'typeorm';
import { LEDGER_CHANNEL } from './ledger-sql.js';
import { obtainConnection, type PooledConnection } from './connection.js';
import { LedgerReader } from './ledger-reader.js';

type HeadListener = (position: number) => void;

/** LISTENs on the ledger channel over one pooled session and tells followers when the head moves. */
export class LedgerNotifier {
  private connection: PooledConnection | undefined;
  private readonly listeners = new Set<HeadListener>();
  private readonly reader: LedgerReader;
  private closed = false;
  private reconnecting: NodeJS.Timeout | undefined;
  private lastHead = 0;

  private constructor(private readonly dataSource: DataSource) {
    this.reader = new LedgerReader(dataSource);
  }

  /** Starts listening; holds one session of the DataSource's pool until closed. */
  static async listen(dataSource: DataSource): Promise<LedgerNotifier> {
    const notifier = new LedgerNotifier(dataSource);
    await notifier.connect();
    notifier.lastHead = (await notifier.reader.head()).position;
    return notifier;
  }

  /** Calls `listener` with the new head whenever it moves forward; returns the unsubscribe function. */
  onHead(listener: HeadListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the head once it is beyond `position`, or with the head as it is when `timeoutMs`
   * passes or `signal` aborts. Checks the table after subscribing, so no commit slips between a
   * follower's last read and its wait.
   */
  async waitForHeadAfter(
    position: number,
    options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
  ): Promise<number> {
    if (this.lastHead > position) return this.lastHead;
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      const finish = (head: number) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(head);
      };
      const unsubscribe = this.onHead((head) => {
        if (head > position) finish(head);
      });
      const onAbort = () => finish(this.lastHead);
      options.signal?.addEventListener('abort', onAbort);
      const timer = setTimeout(() => finish(this.lastHead), options.timeoutMs ?? 30_000);
      if (options.signal?.aborted) onAbort();
      this.reader.head().then(
        (head) => {
          this.observe(head.position);
          if (head.position > position) finish(head.position);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          unsubscribe();
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** Stops listening and gives the session back. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnecting);
    const connection = this.connection;
    this.connection = undefined;
    // Destroyed rather than pooled: it carries our listeners and a LISTEN no other user expects.
    connection?.release(new Error('ledger notifier closed'));
  }

  private async connect(): Promise<void> {
    const connection = await obtainConnection(this.dataSource);
    const { client } = connection;
    client.on('notification', (message) => {
      if (message.channel === LEDGER_CHANNEL) this.observe(Number(message.payload));
    });
    client.on('error', (error) => this.lost(connection, error));
    client.on('end', () => this.lost(connection, new Error('the ledger notification session ended')));
    try {
      await client.query(`LISTEN ${LEDGER_CHANNEL}`);
    } catch (error) {
      connection.release(error);
      throw error;
    }
    if (this.closed) {
      connection.release(new Error('ledger notifier closed'));
      return;
    }
    this.connection = connection;
  }

  private observe(head: number): void {
    if (!Number.isFinite(head) || head <= this.lastHead) return;
    this.lastHead = head;
    for (const listener of [...this.listeners]) listener(head);
  }

  private lost(connection: PooledConnection, error: Error): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    connection.release(error);
    if (!this.closed) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.reconnecting = setTimeout(() => {
      // Notifications may have been missed while disconnected: announce the head as it is now.
      this.connect()
        .then(() => this.reader.head())
        .then(
          (head) => this.observe(head.position),
          () => {
            if (!this.connection && !this.closed) this.scheduleReconnect();
          },
        );
    }, 1000);
    this.reconnecting.unref();
  }
}
