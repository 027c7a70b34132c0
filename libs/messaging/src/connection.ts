// One way to open a NATS connection for every Caravan process: reconnect forever with back-off, so a
// restarted nats-server never needs a restarted app, and one log line per status change.
import { AuthorizationError, connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';

/** Where log lines go; a Nest Logger, console or a test spy all fit. */
export interface MessagingLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface NatsConnectionOptions {
  readonly servers: string | readonly string[];
  /** Shown in the server's connection list (`caravan-ledger`, `caravan-distributor`…). */
  readonly name: string;
  readonly user?: string;
  readonly pass?: string;
  /** A login as one object (`NatsCredentials` of @caravan/config fits); wins over `user`/`pass`. */
  readonly credentials?: { readonly user: string; readonly pass: string };
  /** Agencies must use their own inbox prefix (`_INBOX_<CODE>`), the only one they may subscribe to. */
  readonly inboxPrefix?: string;
  /** Upper bound of the reconnect back-off; 5 s by default. */
  readonly maxReconnectDelayMs?: number;
  readonly logger?: MessagingLogger;
}

const consoleLogger: MessagingLogger = {
  log: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

/**
 * The server refused the login (wrong user or password, or none given to a server that needs one).
 * The message is one line naming the servers and the user, never the password.
 */
export class NatsAuthenticationError extends Error {
  constructor(servers: readonly string[], user: string | undefined, options?: { cause?: unknown }) {
    super(
      user === undefined
        ? `NATS at ${servers.join(', ')} refused a connection without credentials`
        : `NATS at ${servers.join(', ')} refused the login of user "${user}": wrong user or password`,
      options,
    );
    this.name = 'NatsAuthenticationError';
  }
}

/**
 * Opens a connection that retries its first connect and every reconnect forever, with back-off;
 * except a refused login, which no retry can fix: it fails with NatsAuthenticationError.
 */
export async function connectNats(options: NatsConnectionOptions): Promise<NatsConnection> {
  const logger = options.logger ?? consoleLogger;
  const maxDelay = options.maxReconnectDelayMs ?? 5_000;
  const servers = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
  const user = options.credentials?.user ?? options.user;
  const pass = options.credentials?.pass ?? options.pass;
  let attempt = 0;
  const config: ConnectionOptions = {
    servers,
    name: options.name,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    // Without this the client builds an Error (with a stack) for every request and publish ack just
    // in case it times out: a measured 15% of the distributor's CPU.
    noAsyncTraces: true,
    // Exponential back-off with full jitter: a fleet of apps does not stampede a returning server.
    reconnectDelayHandler: () => {
      attempt += 1;
      return Math.round(Math.random() * Math.min(maxDelay, 100 * 2 ** Math.min(attempt, 10)));
    },
    ...(user !== undefined ? { user } : {}),
    ...(pass !== undefined ? { pass } : {}),
    ...(options.inboxPrefix !== undefined ? { inboxPrefix: options.inboxPrefix } : {}),
  };
  let nc: NatsConnection;
  try {
    // The client gives up on the first connect after the server refused the same login twice
    // (rather than retrying it forever, as it does an unreachable server).
    nc = await connect(config);
  } catch (error) {
    if (error instanceof AuthorizationError) throw new NatsAuthenticationError(servers, user, { cause: error });
    throw error;
  }
  logger.log(JSON.stringify({ msg: 'nats connected', name: options.name, server: nc.getServer() }));
  void (async () => {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          logger.warn(JSON.stringify({ msg: 'nats disconnected', name: options.name, server: status.server }));
          break;
        case 'reconnect':
          attempt = 0;
          logger.log(JSON.stringify({ msg: 'nats reconnected', name: options.name, server: status.server }));
          break;
        case 'error':
          logger.error(JSON.stringify({ msg: 'nats error', name: options.name, error: status.error.message }));
          break;
        case 'close':
          logger.log(JSON.stringify({ msg: 'nats closed', name: options.name }));
          break;
        case 'ldm':
        case 'slowConsumer':
        case 'staleConnection':
        case 'forceReconnect':
          logger.warn(JSON.stringify({ msg: `nats ${status.type}`, name: options.name }));
          break;
        case 'reconnecting':
        case 'ping':
        case 'update':
          // Frequent while a server is away; the disconnect/reconnect pair already tells the story.
          break;
      }
    }
  })();
  return nc;
}

/** Drains (finishes in-flight work, then closes) unless the connection is already closed. */
export async function drainNats(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) return;
  await nc.drain().catch(() => nc.close());
}
