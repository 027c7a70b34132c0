// Commands are NATS request/reply (SPEC §6). Both ends of the §6 reply shape live here: the requester
// maps a missing or silent ledger to `unavailable`, the responder maps a result or a thrown error.
import type { Msg, NatsConnection } from '@nats-io/nats-core';
import { CaravanError, ERROR_CODES, type CommandAccepted, type CommandReply } from '@caravan/contracts';

export interface RequestCommandOptions {
  /** 5 s by default. */
  readonly timeoutMs?: number;
}

function isCommandReply(value: unknown): value is CommandReply {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return 'eventId' in value && 'position' in value;
  if (value.ok !== false || !('error' in value)) return false;
  const error = value.error as { code?: unknown } | null;
  return typeof error === 'object' && error !== null && ERROR_CODES.includes(error.code as never);
}

/** Sends a command and returns its reply; no responder, a timeout or a garbled reply is `unavailable`. */
export async function requestCommand(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  options: RequestCommandOptions = {},
): Promise<CommandReply> {
  let reply: Msg;
  try {
    reply = await nc.request(subject, JSON.stringify(body), { timeout: options.timeoutMs ?? 5_000 });
  } catch (error) {
    return {
      ok: false,
      error: { code: 'unavailable', message: `no answer on ${subject}: ${(error as Error).message}` },
    };
  }
  try {
    const parsed: unknown = reply.json();
    if (isCommandReply(parsed)) return parsed;
  } catch {
    // fall through: an unparseable reply is as good as none
  }
  return { ok: false, error: { code: 'unavailable', message: `malformed reply on ${subject}` } };
}

/**
 * The §6 reply for a handler's outcome: an accepted result, or an error. A CaravanError keeps its
 * code, message and fields; anything else is an internal failure and reported as `unavailable`
 * without its message, which may carry internals.
 */
export function commandReplyFor(outcome: { result: CommandAccepted } | { error: unknown }): CommandReply {
  if ('result' in outcome) {
    const { eventId, position, streamVersion, replayed } = outcome.result;
    return { ok: true, eventId, position, streamVersion, ...(replayed ? { replayed: true } : {}) };
  }
  if (outcome.error instanceof CaravanError) return { ok: false, error: outcome.error.toBody() };
  return { ok: false, error: { code: 'unavailable', message: 'the command could not be processed; retry later' } };
}

/** Runs a command handler and answers the request with its §6 reply; the body is parsed as JSON first. */
export async function respondToCommand(
  msg: Msg,
  handle: (body: unknown, subject: string) => Promise<CommandAccepted>,
): Promise<CommandReply> {
  let reply: CommandReply;
  try {
    let body: unknown;
    try {
      body = msg.json();
    } catch {
      throw new CaravanError('invalid', 'the command body is not JSON');
    }
    reply = commandReplyFor({ result: await handle(body, msg.subject) });
  } catch (error) {
    reply = commandReplyFor({ error });
  }
  msg.respond(JSON.stringify(reply));
  return reply;
}
