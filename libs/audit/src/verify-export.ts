// Offline verification of an export (SPEC §4), needing nothing but the export and a public key: no
// database, no NATS, no configuration (this module imports only node built-ins and the pure libs).
// Lines stream through once; memory stays constant (see HashLog) except that, when no key is given,
// checkpoint signatures wait for the export's own key on its last line (one per 1,000 events at most).
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { ChainedEvent } from '@caravan/contracts';
import { GENESIS_HASH, hashEvent, ledgerPublicKey, verifyCheckpoint, type Checkpoint } from '@caravan/domain';
import { parseExportLine, type ChainStartLine, type ExportFilter } from './export-format.js';
import { HashLog } from './hash-log.js';
import { ndjsonLineBatches } from './ndjson-lines.js';

/** Where the key that checked the signatures came from. */
export type KeySource = 'given' | 'export' | 'none';

/** The first place where an export stops being what the ledger recorded and signed. */
export interface ExportBreak {
  /** The ledger position at which the break is found (the expected one for a missing or bad line). */
  readonly position: number;
  /** 1-based line number in the export. */
  readonly line: number;
  readonly reason: string;
}

/** What `verifyExport` found. */
export interface ExportVerification {
  readonly ok: boolean;
  readonly events: number;
  readonly checkpoints: number;
  /** The link the first event chains from: position 0 and the genesis hash for a full export. */
  readonly start: { readonly afterPosition: number; readonly prevHash: string };
  readonly lastPosition: number;
  readonly lastHash: string;
  /** The highest position covered by a verified checkpoint signature (0 when none). */
  readonly signedUpTo: number;
  readonly key: {
    readonly source: KeySource;
    /** Raw 32-byte Ed25519 key, hex, of the key used. */
    readonly rawHex?: string;
    /** Whether the export's own key line is absent, or the same as / different from the given key. */
    readonly exportKey: 'absent' | 'same' | 'different';
  };
  /** True when the export ends with its public key line, as a complete export does. */
  readonly complete: boolean;
  readonly firstBreak?: ExportBreak;
}

/** How to verify: the ledger public key obtained independently (PEM), when there is one. */
export interface VerifyExportOptions {
  readonly publicKeyPem?: string;
}

type Phase = 'events' | 'checkpoints' | 'key';

class ExportVerifier {
  private phase: Phase = 'events';
  private line = 0;
  private start: { afterPosition: number; prevHash: string } = { afterPosition: 0, prevHash: GENESIS_HASH };
  private filter: ExportFilter | undefined;
  private startSeen = false;
  private expected = 1;
  private prevHash = GENESIS_HASH;
  private events = 0;
  private checkpoints = 0;
  private lastCheckpoint = 0;
  private signedUpTo = 0;
  private hashes: HashLog | undefined;
  private broken: ExportBreak | undefined;
  // A line whose position is not the expected one: decided by the next line (missing or swapped).
  private gap: { found: number; line: number } | undefined;
  private readonly deferred: Checkpoint[] = [];
  private exportKey: { pem: string; key: KeyObject; rawHex: string } | undefined;
  private readonly givenKey: { key: KeyObject; rawHex: string } | undefined;

  constructor(options: VerifyExportOptions) {
    if (options.publicKeyPem !== undefined) {
      const key = createPublicKey(options.publicKeyPem);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('the given public key is not an Ed25519 key');
      this.givenKey = { key, rawHex: ledgerPublicKey(key).rawHex };
    }
  }

  get done(): boolean {
    return this.broken !== undefined;
  }

  accept(text: string): void {
    this.line += 1;
    if (this.broken) return;
    if (text.trim() === '') return;
    const parsed = parseExportLine(text);
    if (this.gap) {
      this.resolveGap(parsed.kind === 'event' ? parsed.event.position : undefined);
      if (this.broken) return;
    }
    if (this.phase === 'key') return this.fail(this.expected, 'text after the public key line, which must be last');
    switch (parsed.kind) {
      case 'malformed':
        return this.fail(
          this.phase === 'events' ? this.expected : this.lastCheckpoint,
          `line ${this.line} ${parsed.reason}`,
        );
      case 'start':
        return this.acceptStart(parsed.start);
      case 'event':
        return this.acceptEvent(parsed.event);
      case 'checkpoint':
        return this.acceptCheckpoint(parsed.checkpoint);
      case 'key':
        return this.acceptKey(parsed.key.pem);
    }
  }

  finish(): ExportVerification {
    if (this.gap) this.resolveGap(undefined);
    if (!this.broken && this.deferred.length > 0) {
      const key = this.exportKey?.key;
      for (const checkpoint of this.deferred) {
        if (!key) {
          this.fail(
            checkpoint.position,
            'no public key given and the export has no key line: checkpoints cannot be checked',
          );
          break;
        }
        if (!this.checkSignature(key, checkpoint)) break;
      }
    }
    this.hashes?.dispose();
    const keyUsed = this.givenKey ?? this.exportKey;
    return {
      ok: this.broken === undefined,
      events: this.events,
      checkpoints: this.checkpoints,
      start: this.start,
      lastPosition: this.expected - 1,
      lastHash: this.prevHash,
      signedUpTo: this.signedUpTo,
      key: {
        source: this.givenKey ? 'given' : this.exportKey ? 'export' : 'none',
        ...(keyUsed ? { rawHex: keyUsed.rawHex } : {}),
        exportKey: !this.exportKey
          ? 'absent'
          : !this.givenKey || this.givenKey.rawHex === this.exportKey.rawHex
            ? 'same'
            : 'different',
      },
      complete: this.phase === 'key',
      ...(this.broken ? { firstBreak: this.broken } : {}),
    };
  }

  private acceptStart(start: ChainStartLine): void {
    if (this.startSeen || this.events > 0 || this.phase !== 'events') {
      return this.fail(this.expected, `line ${this.line} is a chainStart, which may only come before every event`);
    }
    this.startSeen = true;
    this.start = { afterPosition: start.afterPosition, prevHash: start.prevHash };
    this.filter = start.filter;
    this.expected = start.afterPosition + 1;
    this.prevHash = start.prevHash;
  }

  private acceptEvent(event: ChainedEvent): void {
    if (this.phase !== 'events') {
      return this.fail(
        event.position,
        `line ${this.line} is an event after the checkpoints (order: events, checkpoints, key)`,
      );
    }
    if (event.position !== this.expected) {
      if (event.position > this.expected) {
        this.gap = { found: event.position, line: this.line };
        return;
      }
      return this.fail(
        this.expected,
        `line ${this.line} holds position ${event.position} again after ${this.expected - 1}: a repeated or misplaced event`,
      );
    }
    const computed = hashEvent(this.prevHash, event);
    if (computed !== event.hash) {
      return this.fail(
        event.position,
        `hash mismatch at line ${this.line}: the line records ${event.hash} but its content hashes to ${computed} ` +
          '(the event was altered)',
      );
    }
    this.hashes ??= new HashLog(event.position);
    this.hashes.push(computed);
    this.prevHash = computed;
    this.expected += 1;
    this.events += 1;
  }

  private resolveGap(next: number | undefined): void {
    const gap = this.gap!;
    this.gap = undefined;
    const filtered = this.filter ? ' (the listing is filtered, so it cannot be verified as a chain)' : '';
    if (next === this.expected) {
      this.fail(
        this.expected,
        `events out of order at line ${gap.line}: position ${gap.found} comes before position ${this.expected}`,
      );
    } else {
      this.fail(
        this.expected,
        `position ${this.expected} is missing: line ${gap.line} holds position ${gap.found}${filtered}`,
      );
    }
  }

  private acceptCheckpoint(checkpoint: Checkpoint): void {
    this.phase = 'checkpoints';
    const { position } = checkpoint;
    if (position <= this.lastCheckpoint) {
      return this.fail(
        position,
        `line ${this.line}: checkpoint ${position} is not after checkpoint ${this.lastCheckpoint}`,
      );
    }
    this.lastCheckpoint = position;
    const known =
      position === this.start.afterPosition ? this.start.prevHash : (this.hashes?.at(position) ?? undefined);
    if (known === undefined) {
      const last = this.expected - 1;
      return this.fail(
        position,
        position > last
          ? `line ${this.line}: checkpoint ${position} is beyond the last event (${last}): events ${last + 1}..${position} are missing`
          : `line ${this.line}: checkpoint ${position} precedes the exported range`,
      );
    }
    if (known !== checkpoint.hash) {
      return this.fail(
        position,
        `line ${this.line}: checkpoint ${position} names hash ${checkpoint.hash} but the verified chain has ${known}`,
      );
    }
    if (this.givenKey) this.checkSignature(this.givenKey.key, checkpoint, this.line);
    else this.deferred.push(checkpoint);
  }

  private checkSignature(key: KeyObject, checkpoint: Checkpoint, line?: number): boolean {
    if (!verifyCheckpoint(key, checkpoint)) {
      const where = line === undefined ? '' : `line ${line}: `;
      const whose = this.givenKey ? 'the given ledger key' : "the export's own key";
      this.fail(
        checkpoint.position,
        `${where}checkpoint ${checkpoint.position}: signature does not verify with ${whose}`,
      );
      return false;
    }
    this.checkpoints += 1;
    this.signedUpTo = Math.max(this.signedUpTo, checkpoint.position);
    return true;
  }

  private acceptKey(pem: string): void {
    this.phase = 'key';
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      return this.fail(this.expected - 1, `line ${this.line}: the export's public key is not a PEM public key`);
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      return this.fail(this.expected - 1, `line ${this.line}: the export's public key is not an Ed25519 key`);
    }
    this.exportKey = { pem, key, rawHex: ledgerPublicKey(key).rawHex };
  }

  private fail(position: number, reason: string): void {
    this.broken ??= { position, line: this.line, reason };
  }
}

/**
 * Verifies an export (SPEC §4): every event's hash recomputed from the previous one with no position
 * missing, repeated or out of order, then every checkpoint against the verified chain and the
 * ledger key (the given one, else the export's own last line). Stops at the first break.
 */
export async function verifyExport(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: VerifyExportOptions = {},
): Promise<ExportVerification> {
  const verifier = new ExportVerifier(options);
  read: for await (const lines of ndjsonLineBatches(input)) {
    for (const line of lines) {
      verifier.accept(line);
      if (verifier.done) break read;
    }
  }
  return verifier.finish();
}

/** The one line `caravan verify` prints for a verification. */
export function describeVerification(result: ExportVerification): string {
  if (result.firstBreak) {
    return `chain broken at position ${result.firstBreak.position}: ${result.firstBreak.reason}`;
  }
  const first = result.start.afterPosition + 1;
  const range = result.events > 0 ? ` (positions ${first}..${result.lastPosition})` : '';
  const key =
    result.key.source === 'given'
      ? `with the given key${result.key.exportKey === 'different' ? " (the export's own key line differs from it)" : ''}`
      : result.key.source === 'export'
        ? "with the export's own key (pass a key obtained independently to prove who signed)"
        : 'without a key (the export has no checkpoints and no key line)';
  const unsigned =
    result.lastPosition > result.signedUpTo
      ? `; positions ${Math.max(result.signedUpTo + 1, first)}..${result.lastPosition} are chained but not covered by a checkpoint`
      : '';
  const incomplete = result.complete ? '' : '; the export has no closing key line (incomplete?)';
  return `verified ${result.events} events${range} and ${result.checkpoints} checkpoints ${key}${unsigned}${incomplete}`;
}
