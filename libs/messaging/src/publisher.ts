// Every publish to JetStream goes through here or through StreamPublisher (stream-publisher.ts, for
// many messages in order): Nats-Msg-Id and the Caravan headers of SPEC §6 on every message, the
// PubAck awaited, and retries while NATS is away (an outbox relay would rather wait than skip).
import { jetstream, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { CaravanError, HEADERS } from '@caravan/contracts';
import { StreamPublisher } from './stream-publisher.js';

/** The Caravan headers of one published message. */
export interface PublishHeaders {
  /** `<eventId>` on caravan.evt, `<eventId>:<recipient>` on caravan.share. */
  readonly msgId: string;
  readonly position?: number;
  readonly type?: string;
  readonly schemaVersion?: number;
  readonly policyVersion?: number;
}

export interface PublishOptions {
  /** Keep retrying for this long while NATS or the stream is unavailable (60 s by default). */
  readonly retryForMs?: number;
  /** Per-attempt PubAck timeout (5 s by default). */
  readonly ackTimeoutMs?: number;
}

/** The stream's answer: `duplicate` is true when the Nats-Msg-Id was already stored. */
export interface PublishResult {
  readonly stream: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

/** One message of a pipelined publish. */
export interface StreamMessage {
  readonly subject: string;
  /** Serialised as JSON, once, unless it is already a string (taken as the JSON text itself). */
  readonly body: unknown;
  readonly meta: PublishHeaders;
}

/** Publishes a JSON body and waits for the PubAck, retrying with back-off while NATS is unavailable. */
export async function publishToStream(
  target: NatsConnection | JetStreamClient,
  subject: string,
  body: unknown,
  meta: PublishHeaders,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const js = clientOf(target);
  const h = headersOf(meta);
  const payload = JSON.stringify(body);
  const deadline = Date.now() + (options.retryForMs ?? 60_000);
  for (let attempt = 0; ; attempt++) {
    try {
      const ack: PubAck = await js.publish(subject, payload, {
        msgID: meta.msgId,
        headers: h,
        timeout: options.ackTimeoutMs ?? 5_000,
      });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      // The same Nats-Msg-Id makes a retry safe: a publish that did land is reported as a duplicate.
      if (Date.now() >= deadline || isPermanent(error)) {
        throw new CaravanError('unavailable', `publish to ${subject} failed: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** Math.min(attempt, 6))));
    }
  }
}

/**
 * Publishes every message pipelined and resolves with their PubAcks (same order) once all of them
 * are in: a one-off StreamPublisher (see stream-publisher.ts), so the stream stores them exactly in
 * the order given, a retry included, and never stores one after a message of the list that it has
 * not stored. It rejects (CaravanError `unavailable`) when the stream stays unreachable for
 * `retryForMs`; then a prefix of the list may be stored, and the caller must send the whole list
 * again, in order, later. All messages must go to one stream.
 */
export async function publishAllToStream(
  nc: NatsConnection,
  messages: readonly StreamMessage[],
  options: PublishOptions = {},
): Promise<PublishResult[]> {
  const publisher = new StreamPublisher(nc, {
    ...(options.retryForMs !== undefined ? { retryForMs: options.retryForMs } : {}),
    ...(options.ackTimeoutMs !== undefined ? { ackTimeoutMs: options.ackTimeoutMs } : {}),
  });
  try {
    return await publisher.publish(messages);
  } finally {
    publisher.close();
  }
}

function clientOf(target: NatsConnection | JetStreamClient): JetStreamClient {
  return 'publish' in target && 'consumers' in target ? target : jetstream(target);
}

function headersOf(meta: PublishHeaders): MsgHdrs {
  const h = natsHeaders();
  h.set(HEADERS.msgId, meta.msgId);
  if (meta.position !== undefined) h.set(HEADERS.position, String(meta.position));
  if (meta.type !== undefined) h.set(HEADERS.type, meta.type);
  if (meta.schemaVersion !== undefined) h.set(HEADERS.schemaVersion, String(meta.schemaVersion));
  if (meta.policyVersion !== undefined) h.set(HEADERS.policyVersion, String(meta.policyVersion));
  return h;
}

function isPermanent(error: unknown): boolean {
  const name = (error as Error | undefined)?.name ?? '';
  return name === 'ClosedConnectionError' || name === 'PermissionViolationError' || name === 'InvalidSubjectError';
}
