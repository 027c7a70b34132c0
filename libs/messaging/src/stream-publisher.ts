// A pipelined publisher to one JetStream stream that keeps the order it is given, even across failures.
//
// Why not `js.publish` per message: each one is a request of its own (a reply subscription entry, a
// timer, a promise, and in nats.js 3.4 an Error built on every success), which made the client the
// distributor's largest cost. Here every message goes out as a plain publish whose reply subject is
// `<inbox>.<token>` on ONE wildcard subscription, and one timer watches the oldest message in flight.
//
// Order: NATS keeps a connection's order on the wire and a stream stores in arrival order, so
// messages sent in order are stored in order, unless one of them is lost (a reconnect, the stream
// refusing it for a moment) while later ones land. To close that gap each message sent while its
// predecessor is still unacknowledged carries `Nats-Expected-Last-Msg-Id: <predecessor's msgId>`:
// if the predecessor was not stored, the stream refuses it (and, by the same rule, every later one
// in flight), so nothing can be stored after a message that is missing. Once everything in flight
// has settled, the list is sent again from the first message without a PubAck; that first one
// carries no expectation (everything before it is confirmed), and the stream drops as duplicates,
// by Nats-Msg-Id, the ones that had landed. JetStream checks duplicates before expectations, so a
// republished message that had landed is always acknowledged as a duplicate.
//
// A refused expectation can also mean someone else's message (a hit notification on CARAVAN_SHARE)
// was stored in between, or that the predecessor was a duplicate stored further back: the resend
// costs one round trip and changes nothing else. It also follows that one publisher serves ONE
// stream: expectations across streams would never hold.
//
// Failure: while NATS or the stream stays unavailable the publisher retries with back-off; after
// `retryForMs` without progress it rejects every pending call with CaravanError `unavailable` and
// refuses new ones until `reset()`, so nothing queued later can overtake the messages that failed.
import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { CaravanError, HEADERS } from '@caravan/contracts';
import type { PublishHeaders, PublishResult, StreamMessage } from './publisher.js';

/** JetStream's header for "store this only if the stream's last Nats-Msg-Id is …". */
const EXPECTED_LAST_MSG_ID = 'Nats-Expected-Last-Msg-Id';
/** JetStream API error `wrong last msg ID` (server errors.json). */
const WRONG_LAST_MSG_ID = 10070;

const decoder = new TextDecoder();

/** Tuning of a StreamPublisher; every field has a default. */
export interface StreamPublisherOptions {
  /** Keep retrying for this long without progress while NATS or the stream is unavailable (60 s). */
  readonly retryForMs?: number;
  /** A message without its PubAck after this long counts as failed and is sent again (5 s). */
  readonly ackTimeoutMs?: number;
  /** Messages in flight at most (4,096); the rest wait in the queue, in order. */
  readonly maxInFlight?: number;
  /** Inbox prefix of the connection's user (`_INBOX` by default). */
  readonly inboxPrefix?: string;
}

interface Call {
  readonly results: PublishResult[];
  remaining: number;
  readonly resolve: (results: PublishResult[]) => void;
  readonly reject: (error: unknown) => void;
}

interface Entry {
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly meta: PublishHeaders;
  /** The header block's lines but the expectation, which depends on the predecessor when it is sent. */
  readonly headerLines: string;
  readonly call: Call;
  readonly index: number;
  /** The reply token of the attempt in flight; 0 when not in flight. */
  token: number;
  sentAt: number;
  result: PublishResult | undefined;
}

/** Why an attempt failed: the JetStream error code when the stream answered with one. */
class PublishFailure extends Error {
  constructor(
    message: string,
    readonly errCode?: number,
  ) {
    super(message);
    this.name = 'PublishFailure';
  }
}

/** Publishes to one JetStream stream, pipelined, stored in exactly the order given (see the file's header). */
export class StreamPublisher {
  private readonly inbox: string;
  private readonly retryForMs: number;
  private readonly ackTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly subscription: Subscription;
  /** Every message without a confirmed PubAck, in order; `queue[head]` is the oldest. */
  private queue: Entry[] = [];
  private head = 0;
  /** Index in `queue` of the next message to send. */
  private next = 0;
  private readonly inFlight = new Map<number, Entry>();
  private lastToken = 0;
  /** The first failure of the attempt in flight: nothing more is sent until all of it has settled. */
  private failure: Error | undefined;
  private failingSince: number | undefined;
  private attempt = 0;
  private waiting: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private broken: CaravanError | undefined;
  private closed = false;
  /** Callers waiting for `pending` to fall to their limit. */
  private waiters: Array<{ readonly limit: number; readonly resolve: () => void }> = [];

  constructor(
    private readonly nc: NatsConnection,
    options: StreamPublisherOptions = {},
  ) {
    this.retryForMs = options.retryForMs ?? 60_000;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4_096);
    this.inbox = createInbox(options.inboxPrefix);
    this.subscription = nc.subscribe(`${this.inbox}.*`, { callback: (error, msg) => this.onReply(error, msg) });
    void this.subscription.closed.then(() => {
      if (!this.closed) this.giveUp(new PublishFailure('the NATS connection closed'));
    });
  }

  /** Messages queued or in flight without their PubAck yet. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /**
   * Queues `messages` behind everything queued before and resolves with their PubAcks (same order)
   * once each is stored or known as a duplicate. Rejects with CaravanError `unavailable` when the
   * stream stays unreachable for `retryForMs`; then some may be stored and others not, but never
   * one after a message that is not, and the caller must send them again, in order, after reset().
   */
  publish(messages: readonly StreamMessage[]): Promise<PublishResult[]> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(new CaravanError('unavailable', 'the stream publisher is closed'));
    if (messages.length === 0) return Promise.resolve([]);
    const lines = messages.map((m) => headerLines(m.meta));
    if (lines.includes(undefined)) {
      return Promise.reject(new CaravanError('invalid', 'header values cannot contain CR or LF'));
    }
    return new Promise<PublishResult[]>((resolve, reject) => {
      const call: Call = {
        results: new Array<PublishResult>(messages.length),
        remaining: messages.length,
        resolve,
        reject,
      };
      messages.forEach((m, index) => {
        this.queue.push({
          subject: m.subject,
          payload: Buffer.from(typeof m.body === 'string' ? m.body : JSON.stringify(m.body)),
          meta: m.meta,
          headerLines: lines[index]!,
          call,
          index,
          token: 0,
          sentAt: 0,
          result: undefined,
        });
      });
      this.pump();
    });
  }

  /** Resolves once nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    return this.whenPendingAtMost(0);
  }

  /** Resolves once at most `limit` messages are queued or in flight (back-pressure for producers). */
  whenPendingAtMost(limit: number): Promise<void> {
    if (this.pending <= limit) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ limit, resolve }));
  }

  /** Accepts publishes again after a failure made it refuse them. */
  reset(): void {
    this.broken = undefined;
  }

  /** Rejects whatever is pending and stops listening for PubAcks. */
  close(): void {
    if (this.closed) return;
    this.giveUp(new PublishFailure('the stream publisher was closed'));
    this.closed = true;
    this.subscription.unsubscribe();
  }

  private pump(): void {
    while (
      this.failure === undefined &&
      this.waiting === undefined &&
      this.next < this.queue.length &&
      this.inFlight.size < this.maxInFlight
    ) {
      const entry = this.queue[this.next]!;
      const predecessor = this.next > this.head ? this.queue[this.next - 1] : undefined;
      this.next += 1;
      // A predecessor with its PubAck is stored: nothing can land before it any more.
      const expect = predecessor && predecessor.result === undefined ? predecessor.meta.msgId : undefined;
      const token = ++this.lastToken;
      entry.token = token;
      entry.sentAt = Date.now();
      this.inFlight.set(token, entry);
      try {
        this.nc.publish(entry.subject, entry.payload, {
          reply: `${this.inbox}.${token}`,
          headers: new EncodedHeaders(entry.headerLines, expect) as unknown as MsgHdrs,
        });
      } catch (error) {
        // A closed connection or an invalid subject: settles like a refused publish.
        this.settle(entry, undefined, asError(error));
        break;
      }
    }
    this.arm();
  }

  private onReply(error: Error | null, msg: Msg): void {
    if (error) return; // The subscription's own end is handled by its `closed` promise.
    const token = Number(msg.subject.slice(this.inbox.length + 1));
    const entry = this.inFlight.get(token);
    if (!entry) return; // A late answer to an attempt already given up on.
    if (msg.headers?.code === 503) {
      this.settle(entry, undefined, new PublishFailure(`no JetStream stream answered for ${entry.subject}`));
      return;
    }
    let reply: {
      stream?: string;
      seq?: number;
      duplicate?: boolean;
      error?: { err_code?: number; description?: string };
    };
    try {
      reply = JSON.parse(decoder.decode(msg.data)) as typeof reply;
    } catch {
      this.settle(entry, undefined, new PublishFailure('the PubAck is not JSON'));
      return;
    }
    if (reply.error || typeof reply.stream !== 'string' || typeof reply.seq !== 'number') {
      const description = reply.error?.description ?? 'invalid PubAck';
      this.settle(entry, undefined, new PublishFailure(description, reply.error?.err_code));
      return;
    }
    this.settle(entry, { stream: reply.stream, seq: reply.seq, duplicate: reply.duplicate === true });
  }

  private settle(entry: Entry, result: PublishResult | undefined, error?: Error): void {
    this.inFlight.delete(entry.token);
    entry.token = 0;
    if (result) {
      entry.result = result;
      this.confirmInOrder();
    } else {
      this.failure ??= error;
    }
    if (this.failure !== undefined) {
      if (this.inFlight.size === 0) this.recover();
    } else {
      this.pump();
    }
  }

  /** Resolves calls whose every message, and every message before them, has its PubAck. */
  private confirmInOrder(): void {
    const start = this.head;
    while (this.head < this.next && this.queue[this.head]!.result !== undefined) {
      const entry = this.queue[this.head]!;
      this.head += 1;
      entry.call.results[entry.index] = entry.result!;
      entry.call.remaining -= 1;
      if (entry.call.remaining === 0) entry.call.resolve(entry.call.results);
    }
    if (this.head === start) return;
    this.failingSince = undefined;
    this.attempt = 0;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.next = 0;
      this.head = 0;
    } else if (this.head > 1_024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.next -= this.head;
      this.head = 0;
    }
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const pending = this.pending;
    const ready = this.waiters.filter((w) => w.limit >= pending);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.limit < pending);
    for (const waiter of ready) waiter.resolve();
  }

  /** Everything in flight has settled after a failure: send again from the first unconfirmed message. */
  private recover(): void {
    const failure = this.failure!;
    this.failure = undefined;
    const now = Date.now();
    this.failingSince ??= now;
    if (isPermanent(failure) || now - this.failingSince >= this.retryForMs) {
      this.giveUp(failure);
      return;
    }
    // Later messages that did land are sent again too: they come back as duplicates, in order.
    for (let i = this.head; i < this.next; i++) this.queue[i]!.result = undefined;
    this.next = this.head;
    // A refused expectation is answered at once: the resend's first message carries none.
    const delayMs =
      failure instanceof PublishFailure && failure.errCode === WRONG_LAST_MSG_ID
        ? 0
        : Math.min(2_000, 50 * 2 ** Math.min(this.attempt, 6));
    this.attempt += 1;
    this.waiting = setTimeout(() => {
      this.waiting = undefined;
      this.pump();
    }, delayMs);
  }

  private giveUp(failure: Error): void {
    const subject = this.queue[this.head]?.subject;
    const error = new CaravanError(
      'unavailable',
      subject ? `publish to ${subject} failed: ${failure.message}` : failure.message,
    );
    const calls = new Set<Call>();
    for (let i = this.head; i < this.queue.length; i++) calls.add(this.queue[i]!.call);
    this.queue = [];
    this.head = 0;
    this.next = 0;
    this.inFlight.clear();
    this.failure = undefined;
    this.failingSince = undefined;
    this.attempt = 0;
    clearTimeout(this.waiting);
    this.waiting = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (calls.size > 0) this.broken = error;
    for (const call of calls) call.reject(error);
    this.wakeWaiters();
  }

  /** One timer for the oldest message in flight, rather than one per message. */
  private arm(): void {
    if (this.timer || this.inFlight.size === 0) return;
    const oldest = this.inFlight.values().next().value!;
    this.timer = setTimeout(() => this.expire(), Math.max(1, oldest.sentAt + this.ackTimeoutMs - Date.now()));
  }

  private expire(): void {
    this.timer = undefined;
    const now = Date.now();
    const overdue: Entry[] = [];
    // Tokens grow with each send, so the map's insertion order is the order of sending.
    for (const entry of this.inFlight.values()) {
      if (entry.sentAt + this.ackTimeoutMs > now) break;
      overdue.push(entry);
    }
    for (const entry of overdue) {
      this.inFlight.delete(entry.token);
      entry.token = 0;
      this.failure ??= new PublishFailure(`no PubAck within ${this.ackTimeoutMs} ms for ${entry.subject}`);
    }
    if (this.failure !== undefined && this.inFlight.size === 0) this.recover();
    else this.arm();
  }
}

/**
 * A message's header block as nats-core writes it (`NATS/1.0`, then `Key: value` lines), built as one
 * string: MsgHdrs looks every key up again on each `append` and validates each value by RegExp, a
 * measured 7 µs per message and the distributor's largest single cost after its PubAcks. Publishing
 * reads nothing of `headers` but `encode()` (nats-core 3.4, pinned; the integration tests read the
 * headers back from the stream).
 */
class EncodedHeaders {
  constructor(
    private readonly lines: string,
    private readonly expectedLastMsgId: string | undefined,
  ) {}

  encode(): Uint8Array {
    const expectation =
      this.expectedLastMsgId === undefined ? '' : `\r\n${EXPECTED_LAST_MSG_ID}: ${this.expectedLastMsgId}`;
    return Buffer.from(`NATS/1.0${this.lines}${expectation}\r\n\r\n`);
  }
}

/** The Caravan header lines of a message, each `\r\n`-led; undefined if a value would break a line. */
function headerLines(meta: PublishHeaders): string | undefined {
  // As MsgHdrs would, a value may not hold CR or LF, and loses surrounding blanks.
  if (BREAKS_LINE.test(meta.msgId) || (meta.type !== undefined && BREAKS_LINE.test(meta.type))) return undefined;
  let lines = `\r\n${HEADERS.msgId}: ${meta.msgId.trim()}`;
  if (meta.position !== undefined) lines += `\r\n${HEADERS.position}: ${meta.position}`;
  if (meta.type !== undefined) lines += `\r\n${HEADERS.type}: ${meta.type.trim()}`;
  if (meta.schemaVersion !== undefined) lines += `\r\n${HEADERS.schemaVersion}: ${meta.schemaVersion}`;
  if (meta.policyVersion !== undefined) lines += `\r\n${HEADERS.policyVersion}: ${meta.policyVersion}`;
  return lines;
}

const BREAKS_LINE = /[\r\n]/;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function isPermanent(error: Error): boolean {
  return (
    error.name === 'ClosedConnectionError' ||
    error.name === 'PermissionViolationError' ||
    error.name === 'InvalidSubjectError' ||
    error.name === 'InvalidArgumentError'
  );
}
