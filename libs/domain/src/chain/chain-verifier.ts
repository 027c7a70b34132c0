// Verifies a ledger history event by event, so that a million-event export streams through in
// constant memory (but for 32 bytes per event kept to check checkpoints that arrive after the events).
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { ChainedEvent } from '@caravan/contracts';
import { GENESIS_HASH, hashEvent } from './hash-chain.js';
import { verifyCheckpoint, type Checkpoint } from './checkpoint.js';

/** The first place where a history stops being what the ledger signed. */
export interface ChainBreak {
  readonly position: number;
  readonly reason: string;
}

/** What a verification found. */
export interface ChainReport {
  readonly ok: boolean;
  readonly events: number;
  readonly checkpoints: number;
  readonly lastPosition: number;
  readonly lastHash: string;
  readonly firstBreak?: ChainBreak;
}

/** Where verification starts: position 1 by default, or after a known, trusted link. */
export interface ChainStart {
  readonly afterPosition: number;
  readonly prevHash: string;
}

/** Incremental verifier: feed events in order, then checkpoints; read the report. */
export class ChainVerifier {
  private expected: number;
  private prevHash: string;
  private readonly first: number;
  private hashes = Buffer.alloc(32 * 1024);
  private eventCount = 0;
  private checkpointCount = 0;
  private broken: ChainBreak | undefined;
  private readonly publicKey: KeyObject | undefined;

  constructor(publicKey?: string | KeyObject, start: ChainStart = { afterPosition: 0, prevHash: GENESIS_HASH }) {
    this.publicKey = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    this.expected = start.afterPosition + 1;
    this.first = this.expected;
    this.prevHash = start.prevHash;
  }

  get firstBreak(): ChainBreak | undefined {
    return this.broken;
  }

  /** Checks one event; returns the break it caused, if this is the first. */
  acceptEvent(event: ChainedEvent): ChainBreak | undefined {
    if (this.broken) return undefined;
    if (event.position !== this.expected) {
      const reason =
        event.position > this.expected
          ? `position ${this.expected} is missing (next event found is ${event.position})`
          : `position ${event.position} appears after ${this.expected - 1}: events out of order or repeated`;
      return this.fail(this.expected, reason);
    }
    const computed = hashEvent(this.prevHash, event);
    if (computed !== event.hash) {
      return this.fail(
        event.position,
        `hash mismatch: recorded ${event.hash}, recomputed ${computed} (content altered)`,
      );
    }
    this.remember(event.position, computed);
    this.prevHash = computed;
    this.expected += 1;
    this.eventCount += 1;
    return undefined;
  }

  /** Checks a checkpoint's signature and that it names the hash verified at its position. */
  acceptCheckpoint(checkpoint: Checkpoint): ChainBreak | undefined {
    if (this.broken) return undefined;
    if (!this.publicKey) return this.fail(checkpoint.position, 'no ledger public key given to check checkpoints');
    if (!verifyCheckpoint(this.publicKey, checkpoint)) {
      return this.fail(checkpoint.position, 'checkpoint signature does not verify with the ledger key');
    }
    const known = this.hashAt(checkpoint.position);
    if (known !== undefined && known !== checkpoint.hash) {
      return this.fail(checkpoint.position, `checkpoint names hash ${checkpoint.hash} but the chain has ${known}`);
    }
    this.checkpointCount += 1;
    return undefined;
  }

  report(): ChainReport {
    return {
      ok: this.broken === undefined,
      events: this.eventCount,
      checkpoints: this.checkpointCount,
      lastPosition: this.expected - 1,
      lastHash: this.prevHash,
      ...(this.broken ? { firstBreak: this.broken } : {}),
    };
  }

  private fail(position: number, reason: string): ChainBreak {
    this.broken = { position, reason };
    return this.broken;
  }

  private remember(position: number, hashHex: string): void {
    const offset = (position - this.first) * 32;
    if (offset + 32 > this.hashes.length) {
      const grown = Buffer.alloc(Math.max(this.hashes.length * 2, offset + 32));
      this.hashes.copy(grown);
      this.hashes = grown;
    }
    this.hashes.write(hashHex, offset, 32, 'hex');
  }

  private hashAt(position: number): string | undefined {
    if (position < this.first || position >= this.expected) return undefined;
    const offset = (position - this.first) * 32;
    return this.hashes.toString('hex', offset, offset + 32);
  }
}

/** Verifies a whole history: every event in order, then every checkpoint. */
export async function verifyChain(
  events: AsyncIterable<ChainedEvent> | Iterable<ChainedEvent>,
  options: { publicKey?: string | KeyObject; checkpoints?: Iterable<Checkpoint>; start?: ChainStart } = {},
): Promise<ChainReport> {
  const verifier = new ChainVerifier(options.publicKey, options.start);
  for await (const event of events) {
    if (verifier.acceptEvent(event)) return verifier.report();
  }
  for (const checkpoint of options.checkpoints ?? []) {
    if (verifier.acceptCheckpoint(checkpoint)) break;
  }
  return verifier.report();
}
