// What the gateway reads: the shared GatewayAppConfig (@caravan/config) plus tuning with defaults,
// which tests and benchmarks override (a free port, a higher rate limit, a short heartbeat).
import type { GatewayAppConfig } from '@caravan/config';

/** Token bucket per API key: `burst` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

/** Gateway-only knobs; every one has a default. */
export interface GatewayTuning {
  readonly httpHost: string;
  readonly rateLimit: RateLimit;
  /** Hit/no-hit identifiers an agency may ask about per UTC day. */
  readonly hitQuotaPerDay: number;
  /** How long a command waits for the ledger's reply before answering 503. */
  readonly commandTimeoutMs: number;
  /** SSE comment-line interval; each heartbeat also re-checks the feed should a wake-up be lost. */
  readonly sseHeartbeatMs: number;
  /** Events an SSE connection may have written but not yet flushed before it waits for the client. */
  readonly sseHighWaterMark: number;
  /**
   * How long the hit index's follower lets the ledger run on after a notification before catching
   * up, so that one catch-up transaction covers every batch committed meanwhile.
   */
  readonly hitIndexFollowDelayMs: number;
}

/** The gateway's configuration: the app's share of the hub configuration and optional tuning. */
export type GatewayConfig = GatewayAppConfig & { readonly tuning?: Partial<GatewayTuning> };

/** Defaults for a single local hub. */
export const GATEWAY_DEFAULTS: GatewayTuning = {
  httpHost: '0.0.0.0',
  rateLimit: { burst: 200, perSecond: 100 },
  hitQuotaPerDay: 1000,
  commandTimeoutMs: 5_000,
  sseHeartbeatMs: 15_000,
  sseHighWaterMark: 64 * 1024,
  hitIndexFollowDelayMs: 100,
};

/** The tuning in force: defaults overridden by whatever the config sets. */
export function tuningOf(config: GatewayConfig): GatewayTuning {
  return { ...GATEWAY_DEFAULTS, ...config.tuning };
}
