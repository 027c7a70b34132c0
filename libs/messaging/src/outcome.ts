// The one place where a handler's outcome becomes a JetStream acknowledgement (STYLE.md: "a handler's
// outcome maps to ack, nak with delay, or term in one place").
import { HttpException } from '@nestjs/common';
import { CaravanError } from '@caravan/contracts';

/** A message that can never succeed as sent (its body is not JSON, or no handler takes its subject). */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/** What to tell JetStream about one delivery. */
export type Disposition =
  | { readonly kind: 'ack' }
  | { readonly kind: 'nak'; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'term'; readonly reason: string };

export interface BackoffOptions {
  /** Delay before the first redelivery; doubled for each further one. 1 s by default. */
  readonly initialDelayMs?: number;
  /** 60 s by default. */
  readonly maxDelayMs?: number;
}

/** How a handler's run ended: `undefined` error is success. */
export interface HandlerOutcome {
  readonly error?: unknown;
  /** 1 on the first delivery (JetStream's `deliveryCount`). */
  readonly deliveryCount: number;
}

/**
 * Success acks. A CaravanError other than `unavailable`, a PoisonMessageError or a Nest 4xx exception will fail the same
 * way on every redelivery: term it and dead-letter it. Anything else (a lost database, a timeout, a
 * bug fixed by the next deploy) is treated as transient: nak with an exponential back-off, forever,
 * because dropping an event is worse than a stuck consumer, which shows up on a dashboard.
 */
export function dispositionFor(outcome: HandlerOutcome, backoff: BackoffOptions = {}): Disposition {
  const { error } = outcome;
  if (error === undefined) return { kind: 'ack' };
  if (error instanceof PoisonMessageError) return { kind: 'term', reason: error.message };
  if (error instanceof CaravanError && error.code !== 'unavailable') {
    return { kind: 'term', reason: `${error.code}: ${error.message}` };
  }
  // A Nest pipe's rejection (ValidationPipe's BadRequestException): the input is at fault.
  if (error instanceof HttpException && error.getStatus() >= 400 && error.getStatus() < 500) {
    return { kind: 'term', reason: `${error.getStatus()}: ${error.message}` };
  }
  const initial = backoff.initialDelayMs ?? 1_000;
  const max = backoff.maxDelayMs ?? 60_000;
  const exponent = Math.min(Math.max(outcome.deliveryCount - 1, 0), 30);
  return { kind: 'nak', delayMs: Math.min(max, initial * 2 ** exponent), reason: describeError(error) };
}

/** A log- and dead-letter-safe description of an error: name, code and message, never a payload. */
export function describeError(error: unknown): string {
  if (error instanceof CaravanError) return `${error.name} ${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}
