// Where a republish may start. A stream drops a message again only within its duplicate window
// (2 hours), so a process that resumes later after a crash must not lean on it: it asks the stream
// instead. Publishers of the hub's streams send in order and never store a message after one that
// failed (StreamPublisher), and every attempt starts from a confirmed point, so what a stream holds
// of a list of messages is always a prefix of it.
import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { HEADERS } from '@caravan/contracts';
import type { StreamMessage } from './publisher.js';

/** The last message a stream holds (on `subject`, or on any): its Caravan-Position and Nats-Msg-Id. */
export interface LastStored {
  readonly position: number;
  readonly msgId: string;
}

/** The last message the stream holds on `subject` (or on any subject when none is given); undefined when none. */
export async function lastStored(
  jsm: JetStreamManager,
  stream: string,
  subject?: string,
): Promise<LastStored | undefined> {
  let message: StoredMsg | null;
  if (subject !== undefined) {
    message = await jsm.streams.getMessage(stream, { last_by_subj: subject });
  } else {
    const { state } = await jsm.streams.info(stream);
    if (state.messages === 0) return undefined;
    message = await jsm.streams.getMessage(stream, { seq: state.last_seq });
  }
  if (!message) return undefined;
  const position = Number(message.header.get(HEADERS.position) || 0);
  return {
    position: Number.isSafeInteger(position) && position > 0 ? position : 0,
    msgId: message.header.get(HEADERS.msgId),
  };
}

/**
 * How many of `messages` (in the order they were, or are to be, published) the stream holds
 * already. They form a prefix, and on one subject the messages come in position order, so message
 * k is held exactly when the last message on its subject is at or past its position: a binary
 * search finds the prefix's end in about log2(n) lookups. Without positions, 0.
 */
export async function storedPrefixLength(
  jsm: JetStreamManager,
  stream: string,
  messages: readonly StreamMessage[],
): Promise<number> {
  if (messages.some((m) => m.meta.position === undefined)) return 0;
  const last = new Map<string, Promise<number>>();
  const held = async (k: number): Promise<boolean> => {
    const { subject, meta } = messages[k]!;
    let position = last.get(subject);
    if (!position) last.set(subject, (position = lastStored(jsm, stream, subject).then((m) => m?.position ?? 0)));
    return (await position) >= meta.position!;
  };
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (await held(mid)) low = mid + 1;
    else high = mid;
  }
  return low;
}
