// Every publish to JetStream goes through here: Nats-Msg-Id and the Caravan headers of SPEC §6 on
// every message, the PubAck awaited, and retries while NATS is away (an outbox relay would rather
// wait than skip).
import { jetstream, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { CaravanError, HEADERS } from '@caravan/contracts';

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
 * Publishes every message pipelined, in order, and resolves with their PubAcks (same order) once all
 * of them are in. All are written to the one connection before any PubAck is awaited; NATS keeps a
 * connection's order on the wire, so the stream stores them in the order given.
 *
 * Failure: only after every PubAck of an attempt has settled (none is left in flight) is the list
 * sent again, in order, from its first failed message, with back-off while NATS is unavailable;
 * Nats-Msg-Id makes the stream drop the ones that had landed. It rejects (CaravanError `unavailable`)
 * when that fails for `retryForMs`, and then some messages may be stored and others not: the caller
 * must treat the whole list as unpublished and send it again, in order, later.
 *
 * Ordering caveat: a message that failed while later ones of the list landed (e.g. lost in a
 * reconnect, or refused by the stream for a moment) is stored AFTER them when it is retried. Each
 * message is still stored exactly once (within the duplicate window), but a consumer of the stream
 * may see position p+1 before p on the same subject in that case.
 */
export async function publishAllToStream(
  target: NatsConnection | JetStreamClient,
  messages: readonly StreamMessage[],
  options: PublishOptions = {},
): Promise<PublishResult[]> {
  const js = clientOf(target);
  const prepared = messages.map((m) => ({
    subject: m.subject,
    payload: typeof m.body === 'string' ? m.body : JSON.stringify(m.body),
    msgId: m.meta.msgId,
    headers: headersOf(m.meta),
  }));
  const results: PublishResult[] = [];
  const timeout = options.ackTimeoutMs ?? 5_000;
  const deadline = Date.now() + (options.retryForMs ?? 60_000);
  for (let attempt = 0; results.length < prepared.length; attempt++) {
    // js.publish writes its request synchronously, before its first await: this loop puts the whole
    // remainder on the wire in order before any PubAck is looked at.
    const sent = prepared
      .slice(results.length)
      .map((m) => js.publish(m.subject, m.payload, { msgID: m.msgId, headers: m.headers, timeout }));
    const settled = await Promise.allSettled(sent);
    let failure: unknown;
    for (const outcome of settled) {
      if (outcome.status === 'rejected') {
        failure = outcome.reason;
        break;
      }
      const ack = outcome.value;
      results.push({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate });
    }
    if (failure === undefined) break;
    const subject = prepared[results.length]!.subject;
    if (Date.now() >= deadline || isPermanent(failure)) {
      throw new CaravanError('unavailable', `publish to ${subject} failed: ${(failure as Error).message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** Math.min(attempt, 6))));
  }
  return results;
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
