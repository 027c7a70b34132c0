// The decision part of one group-commit batch, kept pure so it can be tested without a database:
// given the ledger state read under the write lock, which commands are appended, replayed or
// refused, and the exact rows (with positions and hashes) to insert.
import {
  CaravanError,
  SCHEMA_VERSIONS,
  type ChainedEvent,
  type CommandAccepted,
  type DomainEvent,
  type RecordedEvent,
} from '@caravan/contracts';
import { hashEvent, type Checkpoint } from '@caravan/domain';

/** What a command asks the ledger to record. */
export interface AppendRequest {
  readonly streamId: string;
  /** The stream version the command was decided on (0: the stream must not exist yet), or 'any'. */
  readonly expectedVersion: number | 'any';
  /** The agency the events are recorded for: always the caller's credential, never a body field. */
  readonly originator: string;
  readonly events: readonly DomainEvent[];
  /** Present for idempotent commands: the same commandId with the same body returns the first result. */
  readonly command?: CommandIdentity;
}

/** The idempotency key of a command and what identifies its content. */
export interface CommandIdentity {
  readonly commandId: string;
  /** Command name as in SPEC §6 (`seizure.report`, …). */
  readonly name: string;
  /** SHA-256 (hex) of the JCS canonical body; see `commandBodyHash`. */
  readonly bodyHash: string;
}

/** The answer to an append: the command's last event, and the events recorded (none on a replay). */
export interface AppendResult extends CommandAccepted {
  readonly replayed: boolean;
  readonly events: readonly ChainedEvent[];
}

/** A command as first recorded, for idempotent replays. */
export interface StoredCommand {
  readonly commandId: string;
  readonly agency: string;
  readonly name: string;
  readonly bodyHash: string;
  readonly eventId: string;
  readonly position: number;
  readonly streamVersion: number;
  readonly recordedAt: string;
}

/** The ledger as the batch found it, under the write lock. */
export interface BatchState {
  readonly headPosition: number;
  readonly headHash: string;
  readonly headRecordedAt?: string;
  readonly lastCheckpoint: number;
  /** Current version of every stream the batch touches (absent: the stream does not exist). */
  readonly streamVersions: ReadonlyMap<string, number>;
  /** Already recorded commands among the batch's commandIds. */
  readonly commands: ReadonlyMap<string, StoredCommand>;
}

export interface BatchContext {
  readonly now: Date;
  readonly newEventId: () => string;
  readonly sign: (position: number, hash: string) => string;
  readonly checkpointEvery: number;
  /** Also sign the final head when it is past the last checkpoint (the 10 s rule). */
  readonly checkpointHead: boolean;
}

export type BatchOutcome =
  { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: CaravanError };

export interface BatchPlan {
  readonly outcomes: readonly BatchOutcome[];
  readonly events: readonly ChainedEvent[];
  readonly commands: readonly StoredCommand[];
  readonly checkpoints: readonly Checkpoint[];
  readonly headPosition: number;
}

/** Plans one batch: commands in queue order, each one succeeding or failing on its own. */
export function planBatch(state: BatchState, requests: readonly AppendRequest[], context: BatchContext): BatchPlan {
  // Hub time must not run backwards along the chain, even when processes' clocks disagree a little.
  const nowIso = context.now.toISOString();
  const recordedAt =
    state.headRecordedAt !== undefined && state.headRecordedAt > nowIso ? state.headRecordedAt : nowIso;
  const signedAt = nowIso;
  const versions = new Map(state.streamVersions);
  const commands = new Map(state.commands);
  const events: ChainedEvent[] = [];
  const newCommands: StoredCommand[] = [];
  const checkpoints: Checkpoint[] = [];
  let position = state.headPosition;
  let hash = state.headHash;
  let lastCheckpoint = state.lastCheckpoint;

  const outcomes = requests.map((request): BatchOutcome => {
    const identity = request.command;
    if (identity) {
      const first = commands.get(identity.commandId);
      if (first) {
        if (
          first.agency !== request.originator ||
          first.name !== identity.name ||
          first.bodyHash !== identity.bodyHash
        ) {
          return refuse('idempotency-conflict', `command ${identity.commandId} was already used with a different body`);
        }
        const result = { eventId: first.eventId, position: first.position, streamVersion: first.streamVersion };
        return { ok: true, result: { ...result, replayed: true, events: [] } };
      }
    }
    const current = versions.get(request.streamId) ?? 0;
    if (request.expectedVersion !== 'any' && request.expectedVersion !== current) {
      return refuse(
        'version-conflict',
        `stream ${request.streamId} is at version ${current}, not ${request.expectedVersion}`,
      );
    }
    if (request.events.length === 0) return refuse('invalid', 'a command must record at least one event');
    // PostgreSQL's jsonb cannot hold these; caught here, they fail this command instead of the batch.
    if (request.events.some((event) => !storable(event.data))) {
      return refuse('invalid', 'the payload holds a NUL character or a lone UTF-16 surrogate');
    }
    // Work on copies so that a command that cannot be hashed leaves the batch's chain untouched.
    let nextPosition = position;
    let nextHash = hash;
    let nextCheckpoint = lastCheckpoint;
    const signed: Checkpoint[] = [];
    let recorded: ChainedEvent[];
    try {
      recorded = request.events.map((event, index) => {
        nextPosition += 1;
        const unchained = {
          eventId: context.newEventId(),
          type: event.type,
          schemaVersion: SCHEMA_VERSIONS[event.type],
          streamId: request.streamId,
          streamVersion: current + index + 1,
          position: nextPosition,
          originator: request.originator,
          recordedAt,
          ...occurredAtOf(event.data),
          payload: event.data,
        } as RecordedEvent;
        nextHash = hashEvent(nextHash, unchained);
        if (nextPosition - nextCheckpoint >= context.checkpointEvery) {
          signed.push({
            position: nextPosition,
            hash: nextHash,
            signature: context.sign(nextPosition, nextHash),
            signedAt,
          });
          nextCheckpoint = nextPosition;
        }
        return { ...unchained, hash: nextHash };
      });
    } catch (error) {
      return refuse('invalid', `the events cannot be recorded as JSON: ${(error as Error).message}`);
    }
    position = nextPosition;
    hash = nextHash;
    lastCheckpoint = nextCheckpoint;
    checkpoints.push(...signed);
    const last = recorded[recorded.length - 1]!;
    events.push(...recorded);
    versions.set(request.streamId, last.streamVersion);
    const result = { eventId: last.eventId, position: last.position, streamVersion: last.streamVersion };
    if (identity) {
      const stored: StoredCommand = {
        commandId: identity.commandId,
        agency: request.originator,
        name: identity.name,
        bodyHash: identity.bodyHash,
        ...result,
        recordedAt,
      };
      commands.set(identity.commandId, stored);
      newCommands.push(stored);
    }
    return { ok: true, result: { ...result, replayed: false, events: recorded } };
  });

  if (context.checkpointHead && position > lastCheckpoint) {
    checkpoints.push({ position, hash, signature: context.sign(position, hash), signedAt });
  }
  return { outcomes, events, commands: newCommands, checkpoints, headPosition: position };
}

function refuse(code: 'invalid' | 'version-conflict' | 'idempotency-conflict', message: string): BatchOutcome {
  return { ok: false, error: new CaravanError(code, message) };
}

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function storable(value: unknown): boolean {
  if (typeof value === 'string') return !UNSTORABLE.test(value);
  if (Array.isArray(value)) return value.every(storable);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, item]) => !UNSTORABLE.test(key) && storable(item));
  }
  return true;
}

/** SPEC §3: the envelope's occurredAt is the payload's, where it has one. */
function occurredAtOf(payload: object): { occurredAt?: string } {
  const value = (payload as { occurredAt?: unknown }).occurredAt;
  return typeof value === 'string' ? { occurredAt: value } : {};
}
