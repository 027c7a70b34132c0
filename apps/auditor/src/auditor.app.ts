// startAuditor: continuous verification of the ledger (SPEC §4, §9). Opens PostgreSQL, verifies the
// whole chain once, then each new range as the ledger notifies a new head, and a fresh full pass
// now and then so that a row altered behind the verified range is also caught. Read-only towards the
// ledger: it refuses nothing and writes nothing there. No Nest application: it serves no transport;
// its status is read through the handle (and `metricsText()` for a Prometheus scrape) and reported
// to the audit_chain_status table, which the gateway serves at GET /v1/audit/status.
import { ConsoleLogger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { auditSchema, ChainStatusStore, LedgerVerifier, type ChainStatus } from '@caravan/audit';
import type { AuditorAppConfig } from '@caravan/config';
import { openDatabase } from '@caravan/database';
import { LedgerNotifier, LedgerReader, ledgerSchema } from '@caravan/ledger-store';

/** Auditor knobs; every one has a default. */
export interface AuditorTuning {
  /** A fresh pass from position 1 this often (default one hour). */
  readonly fullPassEveryMs: number;
  /** Re-check the head this often even without a notification (default 30 s). */
  readonly idleCheckMs: number;
  /** Log progress at most this often (default 10 s); a break is logged at once. */
  readonly logEveryMs: number;
  /** Report the status to the database at most this often (default 1 s); a break is reported at once. */
  readonly reportEveryMs: number;
}

/** The auditor's configuration: the app's share of the hub configuration and optional tuning. */
export type AuditorConfig = AuditorAppConfig & { readonly tuning?: Partial<AuditorTuning> };

/** The handle of a running auditor. */
export interface RunningAuditor {
  readonly name: string;
  /** Where verification stands (the last completed pass). */
  status(): ChainStatus;
  /** Resolves once the verified position has reached `position` or a break is found. */
  waitForVerified(position: number, timeoutMs?: number): Promise<ChainStatus>;
  /** The status as Prometheus text exposition. */
  metricsText(): string;
  close(): Promise<void>;
}

const DEFAULTS: AuditorTuning = {
  fullPassEveryMs: 3_600_000,
  idleCheckMs: 30_000,
  logEveryMs: 10_000,
  reportEveryMs: 1000,
};

const AUDITOR_NAME = 'auditor';

/** Starts the continuous chain verification. */
export async function startAuditor(config: AuditorConfig): Promise<RunningAuditor> {
  const tuning = { ...DEFAULTS, ...config.tuning };
  const logger = new ConsoleLogger('auditor', { json: true });
  const db: DataSource = await openDatabase({
    url: config.databaseUrl,
    schemas: [ledgerSchema, auditSchema],
    poolSize: 3,
    applicationName: 'caravan-auditor',
  });
  let notifier: LedgerNotifier;
  try {
    notifier = await LedgerNotifier.listen(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const reader = new LedgerReader(db);
  const stop = new AbortController();
  let verifier = new LedgerVerifier(reader, config.ledgerPublicKeyPem);
  let current: ChainStatus = verifier.status();
  let passes = 0;
  let lastLog = 0;
  let reportedBreak: string | undefined;
  const waiters = new Set<() => void>();
  const reporter = statusReporter(new ChainStatusStore(db), tuning.reportEveryMs, (error) =>
    logger.warn({ msg: 'could not report the chain status', error: String(error) }),
  );

  const publish = (status: ChainStatus) => {
    current = status;
    passes += 1;
    reporter.report(status, passes);
    if (status.firstBreak) {
      const key = `${status.firstBreak.position}:${status.firstBreak.reason}`;
      if (key !== reportedBreak) {
        reportedBreak = key;
        logger.error({
          msg: 'ledger chain broken',
          position: status.firstBreak.position,
          reason: status.firstBreak.reason,
        });
      }
    } else if (Date.now() - lastLog >= tuning.logEveryMs) {
      lastLog = Date.now();
      logger.log({
        msg: 'ledger verified',
        position: status.verifiedUpTo,
        signedUpTo: status.signedUpTo,
        checkpoints: status.checkpoints,
      });
    }
    for (const wake of [...waiters]) wake();
  };

  const loop = async () => {
    let fullPassAt = Date.now() + tuning.fullPassEveryMs;
    while (!stop.signal.aborted) {
      try {
        if (Date.now() >= fullPassAt) {
          // A fresh verifier from position 1; the old status stays visible until it is done.
          const fresh = new LedgerVerifier(reader, config.ledgerPublicKeyPem);
          const status = await fresh.advance();
          verifier = fresh;
          fullPassAt = Date.now() + tuning.fullPassEveryMs;
          publish(status);
        } else {
          publish(await verifier.advance());
        }
        const after = current.firstBreak ? Number.MAX_SAFE_INTEGER : current.verifiedUpTo;
        await notifier.waitForHeadAfter(after, {
          timeoutMs: Math.min(tuning.idleCheckMs, Math.max(fullPassAt - Date.now(), 0)),
          signal: stop.signal,
        });
      } catch (error) {
        if (stop.signal.aborted) break;
        logger.warn({ msg: 'ledger verification pass failed; retrying', error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 1000).unref());
      }
    }
  };
  const running = loop();
  logger.log({ msg: 'auditor ready' });

  let closing: Promise<void> | undefined;
  return {
    name: AUDITOR_NAME,
    status: () => current,
    waitForVerified: (position, timeoutMs = 30_000) =>
      new Promise<ChainStatus>((resolve) => {
        const check = () => {
          if (current.verifiedUpTo >= position || current.firstBreak || stop.signal.aborted) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(current);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(current);
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    metricsText: () => metricsText(current, passes),
    close: () =>
      (closing ??= (async () => {
        stop.abort();
        await running;
        for (const wake of [...waiters]) wake();
        await reporter.close();
        await notifier.close();
        await db.destroy();
      })()),
  };
}

// Writes the status at most every `everyMs`, the latest one last; a new break at once. Writes run
// one after the other, so the table never goes back to an older status.
function statusReporter(store: ChainStatusStore, everyMs: number, onError: (error: unknown) => void) {
  let lastWrite = 0;
  let broken = false;
  let pending: { status: ChainStatus; passes: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = (status: ChainStatus, passes: number) => {
    lastWrite = Date.now();
    writing = writing.then(() => store.report(AUDITOR_NAME, status, passes)).catch(onError);
  };
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending) write(pending.status, pending.passes);
    pending = undefined;
  };
  return {
    report(status: ChainStatus, passes: number): void {
      pending = { status, passes };
      const newBreak = status.firstBreak !== undefined && !broken;
      broken = status.firstBreak !== undefined;
      const wait = lastWrite + everyMs - Date.now();
      if (newBreak || wait <= 0) flush();
      else timer ??= setTimeout(flush, wait).unref();
    },
    async close(): Promise<void> {
      flush();
      await writing;
    },
  };
}

function metricsText(status: ChainStatus, passes: number): string {
  const lines = [
    '# HELP caravan_audit_chain_ok 1 while the ledger chain and checkpoints verify, 0 after a break.',
    '# TYPE caravan_audit_chain_ok gauge',
    `caravan_audit_chain_ok ${status.ok ? 1 : 0}`,
    '# HELP caravan_audit_verified_position Every position up to this one has been verified.',
    '# TYPE caravan_audit_verified_position gauge',
    `caravan_audit_verified_position ${status.verifiedUpTo}`,
    '# HELP caravan_audit_signed_position The highest position covered by a verified checkpoint.',
    '# TYPE caravan_audit_signed_position gauge',
    `caravan_audit_signed_position ${status.signedUpTo}`,
    '# HELP caravan_audit_checkpoints_verified Checkpoints verified in the current pass.',
    '# TYPE caravan_audit_checkpoints_verified gauge',
    `caravan_audit_checkpoints_verified ${status.checkpoints}`,
    '# HELP caravan_audit_break_position The first broken position (0 when none).',
    '# TYPE caravan_audit_break_position gauge',
    `caravan_audit_break_position ${status.firstBreak?.position ?? 0}`,
    '# HELP caravan_audit_passes_total Verification passes completed.',
    '# TYPE caravan_audit_passes_total counter',
    `caravan_audit_passes_total ${passes}`,
  ];
  return `${lines.join('\n')}\n`;
}
