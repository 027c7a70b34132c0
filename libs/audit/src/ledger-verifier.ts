// Verification of the stored ledger (SPEC §4), incremental and in constant memory: each pass reads
// the checkpoints of the new range first (few), then streams the new events page by page, the next
// page requested while this one is hashed, and checks each checkpoint as the chain reaches it.
// The continuous auditor calls `advance()` whenever the head moves; GET /v1/audit/verify runs one
// fresh pass from position 1.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { ChainedEvent } from '@caravan/contracts';
import { GENESIS_HASH, verifyCheckpoint, type Checkpoint } from '@caravan/domain';
import { chainHash } from './chain-hash.js';
import type { LedgerSource } from './export-writer.js';

/** Where verification of the stored ledger stands. */
export interface ChainStatus {
  readonly ok: boolean;
  /** Every position up to this one has been recomputed and found linked. */
  readonly verifiedUpTo: number;
  readonly lastHash: string;
  /** Checkpoints whose signature and hash were checked. */
  readonly checkpoints: number;
  /** The highest position covered by a verified checkpoint. */
  readonly signedUpTo: number;
  /** The ledger head at the last pass. */
  readonly head: number;
  /** When the last pass ended (RFC 3339). */
  readonly checkedAt?: string;
  readonly firstBreak?: { readonly position: number; readonly reason: string };
}

/** Verifies the stored chain and checkpoints, a new range at a time. */
export class LedgerVerifier {
  private readonly key: KeyObject;
  private verifiedUpTo = 0;
  private lastHash = GENESIS_HASH;
  private checkpoints = 0;
  private signedUpTo = 0;
  private checkpointsReadUpTo = 0;
  private head = 0;
  private checkedAt: string | undefined;
  private broken: { position: number; reason: string } | undefined;
  private running: Promise<ChainStatus> | undefined;

  constructor(
    private readonly source: LedgerSource,
    publicKeyPem: string,
    private readonly options: { readonly pageSize?: number; readonly clock?: () => Date } = {},
  ) {
    this.key = createPublicKey(publicKeyPem);
  }

  /** The status after the last pass. */
  status(): ChainStatus {
    return {
      ok: this.broken === undefined,
      verifiedUpTo: this.verifiedUpTo,
      lastHash: this.lastHash,
      checkpoints: this.checkpoints,
      signedUpTo: this.signedUpTo,
      head: this.head,
      ...(this.checkedAt ? { checkedAt: this.checkedAt } : {}),
      ...(this.broken ? { firstBreak: this.broken } : {}),
    };
  }

  /** Verifies from the last verified position to the current head; concurrent calls share one pass. */
  advance(): Promise<ChainStatus> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<ChainStatus> {
    if (this.broken) return this.status();
    const head = (await this.source.head()).position;
    this.head = Math.max(this.head, head);
    // Checkpoints signed at or below what is already verified (a head signed after its events
    // committed) are checked against the row's hash, which was recomputed when it was verified.
    const checkpoints: Checkpoint[] = [];
    for await (const checkpoint of this.source.readCheckpoints({ after: this.checkpointsReadUpTo, upTo: head })) {
      checkpoints.push(checkpoint);
    }
    let next = 0;
    while (next < checkpoints.length && checkpoints[next]!.position <= this.verifiedUpTo) {
      const checkpoint = checkpoints[next++]!;
      const known =
        checkpoint.position === this.verifiedUpTo ? this.lastHash : await this.storedHash(checkpoint.position);
      if (!this.checkCheckpoint(checkpoint, known)) return this.finish();
    }

    const pageSize = this.options.pageSize ?? 5000;
    let pending: Promise<ChainedEvent[]> | undefined =
      head > this.verifiedUpTo ? this.source.readPage({ after: this.verifiedUpTo, upTo: head }, pageSize) : undefined;
    while (pending) {
      const page = await pending;
      const last = page[page.length - 1];
      pending =
        last && page.length === pageSize && last.position < head
          ? this.source.readPage({ after: last.position, upTo: head }, pageSize)
          : undefined;
      for (const event of page) {
        if (!this.acceptEvent(event)) {
          pending?.catch(() => undefined);
          return this.finish();
        }
        while (next < checkpoints.length && checkpoints[next]!.position === event.position) {
          if (!this.checkCheckpoint(checkpoints[next++]!, this.lastHash)) {
            pending?.catch(() => undefined);
            return this.finish();
          }
        }
      }
    }
    if (this.verifiedUpTo < head) {
      this.fail(this.verifiedUpTo + 1, `position ${this.verifiedUpTo + 1} is missing from the ledger table`);
    } else if (next < checkpoints.length) {
      const orphan = checkpoints[next]!;
      this.fail(orphan.position, `checkpoint ${orphan.position} names a position the ledger does not hold`);
    }
    return this.finish();
  }

  private acceptEvent(event: ChainedEvent): boolean {
    const expected = this.verifiedUpTo + 1;
    if (event.position !== expected) {
      this.fail(expected, `position ${expected} is missing from the ledger table (next row is ${event.position})`);
      return false;
    }
    const computed = chainHash(this.lastHash, event);
    if (computed !== event.hash) {
      this.fail(expected, `hash mismatch: the row records ${event.hash} but its content hashes to ${computed}`);
      return false;
    }
    this.verifiedUpTo = expected;
    this.lastHash = computed;
    return true;
  }

  private checkCheckpoint(checkpoint: Checkpoint, known: string | undefined): boolean {
    if (known !== checkpoint.hash) {
      this.fail(
        checkpoint.position,
        `checkpoint ${checkpoint.position} names hash ${checkpoint.hash} but the chain has ${known ?? 'no such position'}`,
      );
      return false;
    }
    if (!verifyCheckpoint(this.key, checkpoint)) {
      this.fail(
        checkpoint.position,
        `checkpoint ${checkpoint.position}: signature does not verify with the ledger key`,
      );
      return false;
    }
    this.checkpoints += 1;
    this.signedUpTo = Math.max(this.signedUpTo, checkpoint.position);
    this.checkpointsReadUpTo = Math.max(this.checkpointsReadUpTo, checkpoint.position);
    return true;
  }

  private async storedHash(position: number): Promise<string | undefined> {
    const [event] = await this.source.readPage({ after: position - 1, upTo: position }, 1);
    return event?.hash;
  }

  private fail(position: number, reason: string): void {
    this.broken ??= { position, reason };
  }

  private finish(): ChainStatus {
    this.checkedAt = (this.options.clock?.() ?? new Date()).toISOString();
    return this.status();
  }
}
