// What the ledger reads: the shared LedgerAppConfig (@caravan/config) plus tuning with defaults,
// which tests override (a short safety poll, a fault to inject).
import { ConfigError, type LedgerAppConfig } from '@caravan/config';

/** Ledger-only knobs; every one has a default. */
export interface LedgerTuning {
  /** NATS queue group of the command responders: instances in one group share the requests. */
  readonly commandQueue: string;
  /** Safety poll of the relay when no wake-up arrives (wake-ups are hints and may be lost). */
  readonly relayPollMs: number;
  /** How often a standby relay tries to become the active one. */
  readonly relayStandbyMs: number;
  /** Events read per page and published before the relay's checkpoint moves. */
  readonly relayPageSize: number;
  /**
   * The checkpoint is written at most this often under load (and at once when the relay is idle):
   * the relay reads a page per commit, and a transaction per page would compete with the ledger's
   * writers for WAL flushes. A restart republishes nothing twice however far it lags (resumePoint).
   */
  readonly relayCheckpointEveryMs: number;
  /** One publish keeps retrying this long before the relay backs off and starts again from its checkpoint. */
  readonly relayPublishRetryMs: number;
  /**
   * TEST ONLY (fault injection): the process SIGKILLs itself after the relay has published this
   * many events, before it advances its checkpoint. Set from CARAVAN_FAULT_RELAY_KILL_AFTER by main.ts.
   */
  readonly relayKillAfter: number | undefined;
}

/** The ledger's configuration: the app's share of the hub configuration and optional tuning. */
export type LedgerConfig = LedgerAppConfig & { readonly tuning?: Partial<LedgerTuning> };

/** Defaults for a hub in production. */
export const LEDGER_DEFAULTS: LedgerTuning = {
  commandQueue: 'caravan-ledger',
  relayPollMs: 5_000,
  relayStandbyMs: 2_000,
  relayPageSize: 500,
  relayCheckpointEveryMs: 100,
  relayPublishRetryMs: 5_000,
  relayKillAfter: undefined,
};

/** The tuning in force: defaults overridden by whatever the config sets. */
export function tuningOf(config: LedgerConfig): LedgerTuning {
  return { ...LEDGER_DEFAULTS, ...config.tuning };
}

/**
 * TEST ONLY: the fault-injection tuning read from the environment. `CARAVAN_FAULT_RELAY_KILL_AFTER=N`
 * makes the relay SIGKILL its own process after publishing N events and before advancing its
 * checkpoint, so a test can prove that a crash between commit and publish loses nothing. Never set
 * it in a deployment.
 */
export function faultTuningFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<LedgerTuning> {
  const value = env['CARAVAN_FAULT_RELAY_KILL_AFTER']?.trim();
  if (!value) return {};
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) {
    throw new ConfigError('CARAVAN_FAULT_RELAY_KILL_AFTER', `must be a positive integer (got "${value}")`);
  }
  return { relayKillAfter: Number(value) };
}
