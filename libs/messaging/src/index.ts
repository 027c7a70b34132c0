// @caravan/messaging: NATS connection, stream and consumer provisioning, JetStream consumption (plain
// and as a Nest transport strategy), publishing, command request/reply and the agencies' NATS config.
export type { MessagingLogger, NatsConnectionOptions } from './connection.js';
/** Opens a NATS connection that reconnects forever with back-off and logs each status change. */
export { connectNats } from './connection.js';
/** The server refused the hub's login: one line naming the servers and the user, never the password. */
export { NatsAuthenticationError } from './connection.js';
/** Drains a connection unless it is already closed. */
export { drainNats } from './connection.js';
export type { DurableConsumerSpec } from './provisioning.js';
/** Creates or updates CARAVAN_EVENTS and CARAVAN_SHARE of a topology. */
export { ensureStreams } from './provisioning.js';
/** Creates or updates a durable pull consumer with explicit ack. */
export { ensureConsumer } from './provisioning.js';
/** The JetStream consumer configuration for a DurableConsumerSpec. */
export { consumerConfigFor } from './provisioning.js';
/** The hub-provisioned durable `share_<CODE>` from which an agency reads its own copies. */
export { agencyShareConsumer } from './provisioning.js';
export type { Disposition, BackoffOptions, HandlerOutcome } from './outcome.js';
/** Maps a handler outcome to ack, nak with delay, or term: the one place for that decision. */
export { dispositionFor } from './outcome.js';
/** A log-safe one-line description of an error. */
export { describeError } from './outcome.js';
/** Thrown for a message that can never succeed (not JSON, no handler): termed and dead-lettered. */
export { PoisonMessageError } from './outcome.js';
export type {
  JetStreamMessage,
  BatchHandler,
  ConsumerLoopOptions,
  ConsumerLoop,
  DeadLetterRecord,
} from './consumer-loop.js';
/** Consumes one durable in order, settling each batch through dispositionFor (no Nest needed). */
export { runConsumer } from './consumer-loop.js';
/** `<root>.dlq.<durable>`: where poison messages are recorded. */
export { deadLetterSubject } from './consumer-loop.js';
export type { JetStreamConsumerBinding, JetStreamServerOptions } from './jetstream.transport.js';
/** Nest CustomTransportStrategy consuming JetStream durables for `@EventPattern` handlers. */
export { JetStreamServer } from './jetstream.transport.js';
/** The `@Ctx()` argument of a JetStream handler. */
export { JetStreamContext } from './jetstream.transport.js';
/** Lets a handler's original error reach JetStreamServer (Nest's default filter hides it). */
export { JetStreamExceptionFilter } from './jetstream.transport.js';
/** `@EventPattern(pattern, JETSTREAM_BATCH)` marks a micro-batch handler. */
export { JETSTREAM_BATCH } from './jetstream.transport.js';
/** NATS subject wildcard matching (`*`, `>`). */
export { subjectMatches } from './subject-match.js';
export type { PublishHeaders, PublishOptions, PublishResult, StreamMessage } from './publisher.js';
/** Publishes with Nats-Msg-Id and the Caravan headers, awaiting the PubAck, retrying while NATS is away. */
export { publishToStream } from './publisher.js';
/** Publishes a list pipelined, stored exactly in order, and waits for every PubAck; retries from the first failure. */
export { publishAllToStream } from './publisher.js';
export type { StreamPublisherOptions } from './stream-publisher.js';
/** A long-lived pipelined publisher to one stream: one reply inbox, one timer, order kept across failures. */
export { StreamPublisher } from './stream-publisher.js';
/** The last message a stream holds (on a subject): its position and Nats-Msg-Id. */
export type { LastStored } from './stored-prefix.js';
/** Reads the last message a stream holds (on a subject). */
export { lastStored } from './stored-prefix.js';
/** How many of a list of messages, published in order, a stream holds already (a prefix). */
export { storedPrefixLength } from './stored-prefix.js';
export type { RequestCommandOptions } from './command-reply.js';
/** Sends a command over request/reply; no responder or a timeout becomes `unavailable`. */
export { requestCommand } from './command-reply.js';
/** The §6 reply shape for a command handler's result or error: the one place for that mapping. */
export { commandReplyFor } from './command-reply.js';
/** Runs a command handler for a request message and responds with its §6 reply. */
export { respondToCommand } from './command-reply.js';
export type { NatsSecret, NatsConfigInput } from './nats-config.js';
/** The nats-server authorization (hub user, per-agency publisher and admin users) for a directory. */
export { natsServerConfig } from './nats-config.js';
/** `caravan-hub`, `<CODE>-publisher`, `<CODE>-admin`. */
export { natsUserNames } from './nats-config.js';
/** `_INBOX_<CODE>`: the inbox prefix an agency's client must use. */
export { agencyInboxPrefix } from './nats-config.js';
/** The publish/subscribe permissions of one agency user. */
export { agencyPermissions } from './nats-config.js';
