// Every publish to JetStream goes through here: Nats-Msg-Id and the Caravan headers of SPEC §6 on
// every message, the PubAck awaited, and retries while NATS is away (an outbox relay would rather
// wait than skip).
import { jetstream, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
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

/** Publishes a JSON body and waits for the PubAck, retrying with back-off while NATS is unavailable. */
export async function publishToStream(
  target: NatsConnection | JetStreamClient,
  subject: string,
  body: unknown,
  meta: PublishHeaders,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const js = 'publish' in target && 'consumers' in target ? target : jetstream(target);
  const h = natsHeaders();
  h.set(HEADERS.msgId, meta.msgId);
  if (meta.position !== undefined) h.set(HEADERS.position, String(meta.position));
  if (meta.type !== undefined) h.set(HEADERS.type, meta.type);
  if (meta.schemaVersion !== undefined) h.set(HEADERS.schemaVersion, String(meta.schemaVersion));
  if (meta.policyVersion !== undefined) h.set(HEADERS.policyVersion, String(meta.policyVersion));
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

function isPermanent(error: unknown): boolean {
  const name = (error as Error | undefined)?.name ?? '';
  return name === 'ClosedConnectionError' || name === 'PermissionViolationError' || name === 'InvalidSubjectError';
}
