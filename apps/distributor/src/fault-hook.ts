// TEST-ONLY fault injection. Nothing in production sets these variables; the crash test of
// distributor-crash.int.spec.ts does, to kill the process at the worst moment: after its deliveries
// are committed, before they are published.
//
//   CARAVAN_FAULT_DISTRIBUTOR_KILL_AFTER=N   SIGKILL this process once the deliveries of N events
//                                            (counted from its start) are committed, before publishing them.
//   CARAVAN_FAULT_DISTRIBUTOR_ACK_WAIT_MS=M  redeliver unacked events after M ms instead of 60 s, so the
//                                            restarted process gets the killed one's in-flight batch at once.

/** What the distributor is told to do wrong, for tests. */
export interface DistributorFaults {
  /** SIGKILL the process once this many events' deliveries are committed, before publishing them. */
  readonly killAfterEvents?: number;
  /** Redelivery wait of the events durable, shortened so a restart after a kill need not wait. */
  readonly ackWaitMs?: number;
}

/** Reads the test-only fault variables; a malformed value is refused, never ignored. */
export function faultsFromEnv(env: Readonly<Record<string, string | undefined>>): DistributorFaults {
  const killAfterEvents = positiveInteger(env, 'CARAVAN_FAULT_DISTRIBUTOR_KILL_AFTER');
  const ackWaitMs = positiveInteger(env, 'CARAVAN_FAULT_DISTRIBUTOR_ACK_WAIT_MS');
  return {
    ...(killAfterEvents !== undefined ? { killAfterEvents } : {}),
    ...(ackWaitMs !== undefined ? { ackWaitMs } : {}),
  };
}

function positiveInteger(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return n;
}

/** How many more events may be committed before the kill point (Infinity without a fault). */
export function eventsBeforeKill(faults: DistributorFaults, committed: number): number {
  return faults.killAfterEvents === undefined ? Infinity : Math.max(0, faults.killAfterEvents - committed);
}

/** Kills the process without any cleanup, as a crash would. */
export function killNow(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is not catchable and ends the process before the next line; this only satisfies the type.
  throw new Error('SIGKILL did not end the process');
}
