// A Nest CustomTransportStrategy for JetStream: apps write `@EventPattern(subjectPattern)` and get a
// durable pull consumer with explicit ack, nak with back-off, term plus dead letter. Nest's own NATS
// transport is core NATS only (no durability, no acks), hence this class.
import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import type { Topology } from '@caravan/contracts';
import { connectNats, drainNats, type MessagingLogger, type NatsConnectionOptions } from './connection.js';
import { runConsumer, type ConsumerLoop, type JetStreamMessage } from './consumer-loop.js';
import { PoisonMessageError, type BackoffOptions } from './outcome.js';
import { ensureConsumer, ensureStreams, type DurableConsumerSpec } from './provisioning.js';
import { subjectMatches } from './subject-match.js';

/** `@EventPattern(pattern, JETSTREAM_BATCH)`: the handler receives an array of bodies per call. */
export const JETSTREAM_BATCH = { batch: true } as const;

/** The context argument (`@Ctx()`) of a JetStream handler. */
export class JetStreamContext extends BaseRpcContext<[readonly JetStreamMessage[]]> {
  /** The messages of this call: one, or several for a batch handler. */
  getMessages(): readonly JetStreamMessage[] {
    return this.args[0];
  }
  /** The (first) message of this call. */
  getMessage(): JetStreamMessage {
    const first = this.args[0][0];
    if (!first) throw new Error('empty JetStream context');
    return first;
  }
}

/**
 * Nest's default exception filter replaces every unknown error with `{status: 'error', message}`,
 * which would hide a CaravanError's code from the ack/nak/term mapping. Register this filter on JetStream
 * consumers (`app.useGlobalFilters(new JetStreamExceptionFilter())` on the microservice, or
 * `@UseFilters`) so the original error reaches JetStreamServer.
 */
@Catch()
export class JetStreamExceptionFilter implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/** A durable the server consumes, with the batch size its handlers take. */
export interface JetStreamConsumerBinding extends DurableConsumerSpec {
  /** Largest batch per call; a handler without JETSTREAM_BATCH still sees one message per call. */
  readonly batchSize?: number;
  /** Batches handed to the handlers before the earliest has settled (see ConsumerLoopOptions); 1 by default. */
  readonly pipelineDepth?: number;
}

export interface JetStreamServerOptions {
  readonly topology: Topology;
  /** Either options to open (and later drain) a connection of its own, or a connection to share. */
  readonly connection: NatsConnectionOptions | NatsConnection;
  readonly consumers: readonly JetStreamConsumerBinding[];
  /** Create or update the streams and durables on listen (default true). */
  readonly provision?: boolean;
  readonly backoff?: BackoffOptions;
  readonly logger?: MessagingLogger;
}

type JetStreamStatus = 'connected' | 'disconnected';

function isConnection(value: NatsConnectionOptions | NatsConnection): value is NatsConnection {
  return typeof (value as NatsConnection).drain === 'function';
}

/** Errors Nest's own filters produce once the original error is gone. */
function isNestErrorShape(error: unknown): boolean {
  return typeof error === 'object' && error !== null && !(error instanceof Error) && 'status' in error;
}

/** Consumes JetStream durables for `@EventPattern` handlers (see JetStreamServerOptions). */
export class JetStreamServer extends Server<Record<string, never>, JetStreamStatus> implements CustomTransportStrategy {
  private nc: NatsConnection | undefined;
  private loops: ConsumerLoop[] = [];
  private warnedAboutFilter = false;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.transportId = Symbol('JETSTREAM');
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  private async start(): Promise<void> {
    const { connection, topology } = this.options;
    const logger = this.options.logger ?? this.messagingLogger();
    this.nc = isConnection(connection) ? connection : await connectNats({ logger, ...connection });
    this._status$.next('connected');
    if (this.options.provision ?? true) {
      const jsm = await jetstreamManager(this.nc);
      await ensureStreams(jsm, topology);
      // In-flight messages beyond one batch could overtake a nak'ed one: cap them at the batch size.
      for (const binding of this.options.consumers) {
        await ensureConsumer(jsm, { maxAckPending: binding.batchSize ?? 1, ...binding });
      }
    }
    for (const binding of this.options.consumers) {
      this.loops.push(
        runConsumer(this.nc, {
          topology,
          stream: binding.stream,
          durable: binding.durable,
          batchSize: binding.batchSize ?? 1,
          ...(binding.pipelineDepth !== undefined ? { pipelineDepth: binding.pipelineDepth } : {}),
          logger,
          ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
          handle: (messages) => this.dispatch(messages),
        }),
      );
    }
  }

  async close(): Promise<void> {
    const loops = this.loops;
    this.loops = [];
    await Promise.all(loops.map((loop) => loop.stop()));
    if (this.nc && !isConnection(this.options.connection)) await drainNats(this.nc);
    this.nc = undefined;
    this._status$.next('disconnected');
  }

  on(): never {
    throw new Error('JetStreamServer has no events; subscribe to `status` instead');
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamServer is not listening');
    return this.nc as T;
  }

  private findHandler(subject: string): MessageHandler | undefined {
    for (const [pattern, handler] of this.messageHandlers) {
      if (handler.isEventHandler && subjectMatches(pattern, subject)) return handler;
    }
    return undefined;
  }

  /** Runs the handlers of a batch in order: consecutive messages for the same batch handler go together. */
  private async dispatch(messages: readonly JetStreamMessage[]): Promise<void> {
    let i = 0;
    while (i < messages.length) {
      const first = messages[i] as JetStreamMessage;
      const handler = this.findHandler(first.subject);
      if (!handler) throw new PoisonMessageError(`no @EventPattern handler for ${first.subject}`);
      let group = [first];
      if (handler.extras?.['batch'] === true) {
        let j = i + 1;
        while (j < messages.length && this.findHandler((messages[j] as JetStreamMessage).subject) === handler) j++;
        group = messages.slice(i, j);
        await this.invoke(
          handler,
          group.map((m) => m.data),
          group,
        );
      } else {
        await this.invoke(handler, first.data, group);
      }
      i += group.length;
    }
  }

  private async invoke(head: MessageHandler, data: unknown, messages: readonly JetStreamMessage[]): Promise<void> {
    const context = new JetStreamContext([messages]);
    // Several classes may listen to one pattern; Nest chains them through `next`.
    for (let handler: MessageHandler['next'] = head; handler; handler = (handler as MessageHandler).next) {
      try {
        const result: unknown = await handler(data, context);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      } catch (error) {
        if (isNestErrorShape(error) && !this.warnedAboutFilter) {
          this.warnedAboutFilter = true;
          this.logger.warn?.(
            'a JetStream handler failed but Nest hid the error; register JetStreamExceptionFilter so it is classified',
          );
        }
        throw error;
      }
    }
  }

  private messagingLogger(): MessagingLogger {
    return {
      log: (m) => this.logger.log(m),
      warn: (m) => this.logger.warn(m),
      error: (m) => this.logger.error(m),
    };
  }
}
