// The plain consumer loop behind JetStreamServer: one durable pull consumer, batches in order, each
// outcome settled through dispositionFor. Services and benchmarks use it without Nest.
//
// By default one batch is handled at a time. With `pipelineDepth` > 1 the next batch is handed to
// the handler while the earlier ones are still being handled (a handler that overlaps its own stages,
// such as the distributor's decide and record, then never sits idle between batches). Batches are
// still settled strictly in order, and a batch is acked only once it and every earlier one succeeded:
// behind a failed batch, the batches already handed over are nak'd with it, whatever their handler
// did, and nothing new starts until they are all settled.
import { jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import type { Topology } from '@caravan/contracts';
import type { MessagingLogger } from './connection.js';
import { describeError, dispositionFor, PoisonMessageError, type BackoffOptions } from './outcome.js';

/** One decoded JetStream delivery as a handler sees it. */
export interface JetStreamMessage<T = unknown> {
  readonly subject: string;
  readonly data: T;
  readonly headers: Readonly<Record<string, string>>;
  /** Position in the stream: monotonic per stream, stable across redeliveries. */
  readonly streamSequence: number;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly raw: JsMsg;
}

/** Receives one or more messages; all are acked after it resolves. */
export type BatchHandler = (messages: readonly JetStreamMessage[]) => Promise<void>;

export interface ConsumerLoopOptions {
  readonly topology: Topology;
  readonly stream: string;
  readonly durable: string;
  readonly handle: BatchHandler;
  /** Largest batch given to `handle`; 1 (one message at a time) by default. */
  readonly batchSize?: number;
  /**
   * Batches handed to `handle` before the earliest has settled; 1 by default. Above 1 the handler
   * must accept overlapping calls, in order, and fail a call whose predecessor failed.
   */
  readonly pipelineDepth?: number;
  readonly backoff?: BackoffOptions;
  readonly logger?: MessagingLogger;
}

/** A running consumer loop. */
export interface ConsumerLoop {
  /** Stops pulling, lets the batches in hand finish and settle, then resolves. */
  stop(): Promise<void>;
  /** Resolves when the loop has ended. */
  readonly done: Promise<void>;
}

/** `<root>.dlq.<durable>`: outside both streams, so a dead letter never re-enters a consumer. */
export function deadLetterSubject(topology: Topology, durable: string): string {
  return `${topology.subjectRoot}.dlq.${durable}`;
}

/** The body published to the dead-letter subject. */
export interface DeadLetterRecord {
  readonly stream: string;
  readonly durable: string;
  readonly subject: string;
  readonly streamSequence: number;
  readonly deliveryCount: number;
  readonly error: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The original body as UTF-8 text (it may not be JSON). */
  readonly body: string;
  readonly deadLetteredAt: string;
}

function headerRecord(headers: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (!headers) return record;
  for (const key of headers.keys()) record[key] = headers.get(key);
  return record;
}

type Decoded = { ok: true; message: JetStreamMessage } | { ok: false; raw: JsMsg; error: PoisonMessageError };

function decode(raw: JsMsg): Decoded {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(raw.data));
  } catch {
    return { ok: false, raw, error: new PoisonMessageError('body is not JSON') };
  }
  return {
    ok: true,
    message: {
      subject: raw.subject,
      data,
      headers: headerRecord(raw.headers),
      streamSequence: raw.info.streamSequence,
      deliveryCount: raw.info.deliveryCount,
      raw,
    },
  };
}

const silent: MessagingLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Starts consuming a durable (which must exist: see ensureConsumer) until stop() is called. */
export function runConsumer(nc: NatsConnection, options: ConsumerLoopOptions): ConsumerLoop {
  const logger = options.logger ?? silent;
  const batchSize = Math.max(1, options.batchSize ?? 1);
  const depth = Math.max(1, options.pipelineDepth ?? 1);
  const js = jetstream(nc);
  let stopped = false;
  let messages: ConsumerMessages | undefined;

  const log = (level: 'log' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) =>
    logger[level](JSON.stringify({ msg, stream: options.stream, durable: options.durable, ...fields }));

  const deadLetter = async (raw: JsMsg, error: unknown) => {
    const record: DeadLetterRecord = {
      stream: options.stream,
      durable: options.durable,
      subject: raw.subject,
      streamSequence: raw.info.streamSequence,
      deliveryCount: raw.info.deliveryCount,
      error: describeError(error),
      headers: headerRecord(raw.headers),
      body: new TextDecoder().decode(raw.data),
      deadLetteredAt: new Date().toISOString(),
    };
    nc.publish(deadLetterSubject(options.topology, options.durable), JSON.stringify(record));
    // The record must be on the server before the message is termed, or a crash could lose both.
    await nc.flush();
  };

  const settle = async (raws: readonly JsMsg[], error: unknown) => {
    const last = raws[raws.length - 1];
    if (!last) return;
    const disposition = dispositionFor({ error, deliveryCount: last.info.deliveryCount }, options.backoff);
    switch (disposition.kind) {
      case 'ack':
        for (const raw of raws.slice(0, -1)) raw.ack();
        // Confirmed so that a restart right after never redelivers what was handled.
        await last.ackAck().catch((e: unknown) => log('warn', 'ack not confirmed', { error: describeError(e) }));
        return;
      case 'nak':
        log('warn', 'handler failed, will retry', {
          seq: last.info.streamSequence,
          deliveryCount: last.info.deliveryCount,
          delayMs: disposition.delayMs,
          error: disposition.reason,
        });
        for (const raw of raws) raw.nak(disposition.delayMs);
        return;
      case 'term':
        for (const raw of raws) {
          log('error', 'poison message dead-lettered', { seq: raw.info.streamSequence, error: disposition.reason });
          await deadLetter(raw, error);
          // No reason text: nats-server 2.9 does not recognise `+TERM <reason>` and would ignore it.
          raw.term();
        }
        return;
    }
  };

  /** What settling a batch left for the loop to do. */
  type Settled = { readonly nakDelayMs?: number; readonly oneByOne?: readonly JetStreamMessage[] };

  /** Settles a batch whose handler has finished with `error` (undefined on success). */
  const settleHandled = async (batch: readonly Decoded[], error: unknown): Promise<Settled> => {
    const good: JetStreamMessage[] = [];
    for (const item of batch) {
      if (item.ok) good.push(item.message);
      else await settle([item.raw], item.error);
    }
    const last = good[good.length - 1];
    if (!last) return {};
    const disposition = dispositionFor({ error, deliveryCount: last.deliveryCount }, options.backoff);
    // One poison message must not dead-letter its neighbours: the batch is retried one by one.
    if (disposition.kind === 'term' && good.length > 1) return { oneByOne: good };
    await settle(
      good.map((m) => m.raw),
      error,
    );
    return disposition.kind === 'nak' ? { nakDelayMs: disposition.delayMs } : {};
  };

  /** Starts the handler on a batch's decodable messages; resolves with its error, if any. */
  const startHandling = (batch: readonly Decoded[]): Promise<unknown> => {
    const good = batch.flatMap((item) => (item.ok ? [item.message] : []));
    if (good.length === 0) return Promise.resolve(undefined);
    // Called inside a promise, so a handler that throws before returning one counts as failing too.
    return Promise.resolve(good)
      .then((messages) => options.handle(messages))
      .then(
        () => undefined,
        (e: unknown) => e ?? new Error('handler failed without an error'),
      );
  };

  /** Retries a batch one message at a time; returns the delay of a nak, so later messages stay behind. */
  const runOneByOne = async (messages: readonly JetStreamMessage[]): Promise<number | undefined> => {
    for (const [i, message] of messages.entries()) {
      const single: Decoded[] = [{ ok: true, message }];
      const outcome = await settleHandled(single, await startHandling(single));
      // A single message is never split further: its term was settled above.
      if (outcome.nakDelayMs !== undefined) {
        for (const later of messages.slice(i + 1)) later.raw.nak(outcome.nakDelayMs);
        return outcome.nakDelayMs;
      }
    }
    return undefined;
  };

  /** Naks what a failed batch leaves behind it: later messages must not overtake it. */
  const nakBehind = (queue: JsMsg[], delayMs: number) => {
    for (const m of queue.splice(0)) m.nak(delayMs);
  };

  const loop = async () => {
    while (!stopped) {
      try {
        const consumer = await js.consumers.get(options.stream, options.durable);
        // Our own queue rather than the library iterator: its pending count is not exact, and a batch
        // must take only what has already arrived, never wait for more.
        const queue: JsMsg[] = [];
        let wake: (() => void) | undefined;
        const signal = () => {
          wake?.();
          wake = undefined;
        };
        messages = await consumer.consume({
          max_messages: batchSize,
          callback: (m) => {
            queue.push(m);
            signal();
          },
        });
        const current = messages;
        let ended = false;
        void current.closed().finally(() => {
          ended = true;
          signal();
        });
        if (stopped) current.stop();
        // Batches settle in order, each after the one before (`tail`), while the loop hands over the
        // next: a slot is free once a handler has finished, not once its batch's ack is confirmed.
        let tail: Promise<unknown> = Promise.resolve();
        let handlers = 0;
        /** The first failed settlement since the last recovery; the batches behind it are nak'd. */
        let failed: Settled | undefined;
        /** Batches whose handler failed and which are not settled yet: nothing new starts meanwhile. */
        let failing = 0;
        /** A settlement that threw (a dead letter not stored, say): the loop starts over, as after any error. */
        let broken: { error: unknown } | undefined;
        /** After a failure: lets every batch in hand settle, then retries or naks what is queued. */
        const recover = async (failure: Settled) => {
          await tail;
          const delayMs = failure.oneByOne ? await runOneByOne(failure.oneByOne) : failure.nakDelayMs;
          if (delayMs !== undefined) nakBehind(queue, delayMs);
          failed = undefined;
        };
        while (!stopped && !ended) {
          if (broken) {
            await tail;
            current.stop();
            throw broken.error;
          }
          if (failed) {
            await recover(failed);
            continue;
          }
          if (handlers >= depth || failing > 0 || queue.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            continue;
          }
          // Let messages already read from the socket join the batch (one I/O turn, no waiting for more).
          if (batchSize > 1 && queue.length < batchSize) await new Promise((resolve) => setImmediate(resolve));
          const batch = queue.splice(0, batchSize).map(decode);
          handlers += 1;
          const handled = startHandling(batch).then((error) => {
            handlers -= 1;
            if (error !== undefined) failing += 1;
            signal();
            return error;
          });
          tail = tail.then(async () => {
            const error = await handled;
            try {
              // After a settlement failed, the rest are left unsettled: the consumer is opened again.
              if (broken) return;
              if (failed) {
                // Behind a failed batch: back with it, whatever this handler did, so nothing overtakes it.
                const delayMs = failed.nakDelayMs ?? 0;
                for (const item of batch) (item.ok ? item.message.raw : item.raw).nak(delayMs);
                return;
              }
              const outcome = await settleHandled(batch, error);
              if (outcome.nakDelayMs !== undefined || outcome.oneByOne) failed = outcome;
            } catch (e) {
              broken ??= { error: e };
            } finally {
              if (error !== undefined) failing -= 1;
              signal();
            }
          });
        }
        await tail;
        if (broken) {
          current.stop();
          throw broken.error;
        }
        if (failed) await recover(failed);
        // Handed over at once to the next instance instead of after ack_wait.
        for (const m of queue.splice(0)) m.nak();
        if (!stopped) log('warn', 'consumer ended, reopening');
      } catch (error) {
        if (stopped || nc.isClosed()) break;
        log('warn', 'consumer interrupted, retrying', { error: describeError(error) });
      }
      if (nc.isClosed() || stopped) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };

  const done = loop();
  return {
    done,
    stop: async () => {
      stopped = true;
      messages?.stop();
      await done;
    },
  };
}
