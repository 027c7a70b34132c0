// Verification of the stored ledger (SPEC §4), incremental and in constant memory: each pass goes
// through the new positions a bounded range at a time, reading the range's checkpoints (few), then
// streaming its events as one binary COPY (the server keeps producing while a chunk is hashed),
// hashing each row straight from its bytes, and checking each checkpoint as the chain reaches it. The continuous
// auditor calls `advance()` whenever the head moves; GET /v1/audit/verify runs one fresh pass from 1.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { GENESIS_HASH, verifyCheckpoint, type Checkpoint } from '@caravan/domain';
import { CopyRowLinker, storedHashEquals } from './copy-row-link.js';
import type { LedgerSource } from './export-writer.js';
import { LedgerCopyColumn, LedgerCopyDecoder, int64At, textAt, type LedgerCopyRowView } from './ledger-copy-rows.js';

/** What the verifier reads: the export writer's source, and ranges of events as binary COPY. */
export interface LedgerCopySource extends LedgerSource {
  /** Positions after..upTo, in order, as a PostgreSQL binary COPY of LEDGER_COPY_COLUMNS. */
  copyEvents(range: { readonly after: number; readonly upTo: number }): AsyncIterable<Uint8Array>;
}

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
  /** The hash of verifiedUpTo: the genesis hash before position 1. */
  private lastHash = GENESIS_HASH;
  private checkpoints = 0;
  private signedUpTo = 0;
  private checkpointsReadUpTo = 0;
  private head = 0;
  private checkedAt: string | undefined;
  private broken: { position: number; reason: string } | undefined;
  private running: Promise<ChainStatus> | undefined;
  private readonly linker = new CopyRowLinker();
  // The checkpoints of the range in progress, and the next one the chain has to reach.
  private due: Checkpoint[] = [];
  private nextDue = 0;
  private readonly visit = (row: LedgerCopyRowView): boolean => this.acceptRow(row);

  constructor(
    private readonly source: LedgerCopySource,
    publicKeyPem: string,
    private readonly options: {
      /** Positions per COPY statement (default 100,000), so that no statement holds its snapshot long. */
      readonly rangeSize?: number;
      readonly clock?: () => Date;
    } = {},
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
    if (this.verifiedUpTo > this.checkpointsReadUpTo) {
      const range = { after: this.checkpointsReadUpTo, upTo: Math.min(this.verifiedUpTo, head) };
      for await (const checkpoint of this.source.readCheckpoints(range)) {
        const known =
          checkpoint.position === this.verifiedUpTo ? this.lastHash : await this.storedHash(checkpoint.position);
        if (!this.checkCheckpoint(checkpoint, known)) return this.finish();
      }
    }
    const rangeSize = this.options.rangeSize ?? 100_000;
    // A range that ends short is not a break yet: the next row found names what is missing.
    for (let after = this.verifiedUpTo; after < head; after = Math.min(after + rangeSize, head)) {
      const range = { after, upTo: Math.min(after + rangeSize, head) };
      this.due = [];
      this.nextDue = 0;
      for await (const checkpoint of this.source.readCheckpoints(range)) this.due.push(checkpoint);
      const decoder = new LedgerCopyDecoder();
      for await (const chunk of this.source.copyEvents(range)) {
        if (!decoder.push(chunk, this.visit)) return this.finish();
      }
      decoder.end();
    }
    if (this.verifiedUpTo < head) {
      this.fail(this.verifiedUpTo + 1, `position ${this.verifiedUpTo + 1} is missing from the ledger table`);
    } else if (this.nextDue < this.due.length) {
      const orphan = this.due[this.nextDue]!;
      this.fail(orphan.position, `checkpoint ${orphan.position} names a position the ledger does not hold`);
    }
    return this.finish();
  }

  private acceptRow(row: LedgerCopyRowView): boolean {
    const expected = this.verifiedUpTo + 1;
    const position = int64At(row, LedgerCopyColumn.position);
    if (position !== expected) {
      this.fail(expected, `position ${expected} is missing from the ledger table (next row is ${position})`);
      return false;
    }
    let computed: string;
    try {
      computed = this.linker.link(this.lastHash, row);
    } catch (error) {
      if (!(error instanceof TypeError || error instanceof SyntaxError || error instanceof RangeError)) throw error;
      // Only a payload no writer could have hashed gets here (a number beyond a double, say).
      this.fail(expected, `hash mismatch: the row's payload has no canonical form (${error.message})`);
      return false;
    }
    if (!storedHashEquals(row, computed)) {
      this.fail(
        expected,
        `hash mismatch: the row records ${textAt(row, LedgerCopyColumn.hash)} but its content hashes to ${computed}`,
      );
      return false;
    }
    this.verifiedUpTo = expected;
    this.lastHash = computed;
    while (this.nextDue < this.due.length && this.due[this.nextDue]!.position === position) {
      if (!this.checkCheckpoint(this.due[this.nextDue++]!, this.lastHash)) return false;
    }
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
