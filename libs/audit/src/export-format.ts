// The export of SPEC §4 as code. An export is NDJSON (UTF-8, one JSON object per line, `\n`
// separated) in this order:
//
//   start       {"chainStart":{"afterPosition":N,"prevHash":"<64 hex>","filter":{…}?}}
//               Only when the export does not begin at position 1 (or is a filtered listing): the
//               link the first event chains from. Not signed itself; a later checkpoint covers it.
//   event       {"position":1,"eventId":…,"type":…,"schemaVersion":…,"streamId":…,"streamVersion":…,
//                "originator":…,"recordedAt":…,"occurredAt"?:…,"payload":{…},"hash":"<64 hex>"}
//               One per line, in position order: the nine hashed fields, the payload's occurredAt
//               copied into the envelope when it has one, and the event's hash. Nothing else, since
//               anything outside the hash could be altered unnoticed.
//   checkpoint  {"checkpoint":{"position":P,"hash":"<64 hex>","signature":"<base64>","signedAt"?:…}}
//               Every signed checkpoint within the exported range, in position order, after the events.
//   key         {"publicKey":{"algorithm":"Ed25519","pem":"-----BEGIN PUBLIC KEY-----…","rawHex":"<64 hex>"}}
//               The last line: the ledger public key as the hub serves it. A verifier should prefer a
//               key obtained independently; this one only shows the file is self-consistent.
//
// A filtered listing (by stream, type, originator or time) uses the same lines but has gaps, so it
// cannot be verified as a chain; only an unfiltered range can.
import type { ChainedEvent } from '@caravan/contracts';
import type { Checkpoint } from '@caravan/domain';

/** The filters a listing may have been written with (none for a verifiable export). */
export interface ExportFilter {
  readonly streamId?: string;
  readonly types?: readonly string[];
  readonly originator?: string;
  /** recordedAt at or after (RFC 3339). */
  readonly recordedFrom?: string;
  /** recordedAt strictly before (RFC 3339). */
  readonly recordedBefore?: string;
}

/** The link an export that does not begin at position 1 chains from. */
export interface ChainStartLine {
  readonly afterPosition: number;
  readonly prevHash: string;
  readonly filter?: ExportFilter;
}

/** The ledger public key line. */
export interface PublicKeyLine {
  readonly algorithm: 'Ed25519';
  readonly pem: string;
  readonly rawHex: string;
}

/** One line of an export, read and checked for shape (not for the chain). */
export type ExportLine =
  | { readonly kind: 'start'; readonly start: ChainStartLine }
  | { readonly kind: 'event'; readonly event: ChainedEvent }
  | { readonly kind: 'checkpoint'; readonly checkpoint: Checkpoint }
  | { readonly kind: 'key'; readonly key: PublicKeyLine }
  | { readonly kind: 'malformed'; readonly reason: string };

const HEX64 = /^[0-9a-f]{64}$/;
const EVENT_FIELDS = new Set([
  'position',
  'eventId',
  'type',
  'schemaVersion',
  'streamId',
  'streamVersion',
  'originator',
  'recordedAt',
  'occurredAt',
  'payload',
  'hash',
]);

/** The NDJSON line of the chain start. */
export function chainStartLine(start: ChainStartLine): string {
  return `${JSON.stringify({ chainStart: start })}\n`;
}

/** The NDJSON line of an event as recorded: the hashed fields, occurredAt and the hash, nothing else. */
export function eventLine(event: ChainedEvent): string {
  return `${JSON.stringify({
    position: event.position,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    originator: event.originator,
    recordedAt: event.recordedAt,
    ...(event.occurredAt !== undefined ? { occurredAt: event.occurredAt } : {}),
    payload: event.payload,
    hash: event.hash,
  })}\n`;
}

/** The NDJSON line of a signed checkpoint. */
export function checkpointLine(checkpoint: Checkpoint): string {
  const { position, hash, signature, signedAt } = checkpoint;
  return `${JSON.stringify({ checkpoint: { position, hash, signature, ...(signedAt ? { signedAt } : {}) } })}\n`;
}

/** The last NDJSON line: the ledger public key. */
export function publicKeyLine(key: { readonly pem: string; readonly rawHex: string }): string {
  return `${JSON.stringify({ publicKey: { algorithm: 'Ed25519', pem: key.pem, rawHex: key.rawHex } })}\n`;
}

/** Reads one line (without its `\n`) and checks its shape. */
export function parseExportLine(text: string): ExportLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return malformed('is not valid JSON');
  }
  if (!isObject(value)) return malformed('is not a JSON object');
  if ('hash' in value || 'eventId' in value || 'payload' in value) return parseEvent(value);
  const keys = Object.keys(value);
  if (keys.length !== 1) return malformed('is neither an event, a chainStart, a checkpoint nor a publicKey line');
  if (isObject(value.checkpoint)) return parseCheckpoint(value.checkpoint);
  if (isObject(value.publicKey)) return parseKey(value.publicKey);
  if (isObject(value.chainStart)) return parseStart(value.chainStart);
  return malformed('is neither an event, a chainStart, a checkpoint nor a publicKey line');
}

function parseEvent(value: Record<string, unknown>): ExportLine {
  // A loop rather than Object.keys().filter(): this runs once per line of a million-line export.
  let extra: string[] | undefined;
  for (const key in value) if (!EVENT_FIELDS.has(key)) (extra ??= []).push(key);
  if (extra) return malformed(`is an event with fields outside the hash: ${extra.join(', ')}`);
  const problems: string[] = [];
  if (!isPositiveInteger(value.position)) problems.push('position');
  if (!isPositiveInteger(value.schemaVersion)) problems.push('schemaVersion');
  if (!isPositiveInteger(value.streamVersion)) problems.push('streamVersion');
  for (const key of ['eventId', 'type', 'streamId', 'originator', 'recordedAt'] as const) {
    if (typeof value[key] !== 'string') problems.push(key);
  }
  if (!isObject(value.payload)) problems.push('payload');
  if (typeof value.hash !== 'string' || !HEX64.test(value.hash)) problems.push('hash');
  if (problems.length > 0) return malformed(`is an event with a missing or malformed ${problems.join(', ')}`);
  // occurredAt is a copy of the payload's and is not hashed: a different value would go unnoticed.
  const payload = value.payload as Record<string, unknown>;
  if (value.occurredAt !== undefined && value.occurredAt !== payload.occurredAt) {
    return malformed("is an event whose envelope occurredAt differs from its payload's (it is not hashed)");
  }
  return { kind: 'event', event: value as unknown as ChainedEvent };
}

function parseCheckpoint(value: Record<string, unknown>): ExportLine {
  const { position, hash, signature, signedAt } = value;
  if (!isPositiveInteger(position) || typeof hash !== 'string' || !HEX64.test(hash) || typeof signature !== 'string') {
    return malformed('is a checkpoint without a positive integer position, a 64-hex hash and a signature');
  }
  return {
    kind: 'checkpoint',
    checkpoint: { position, hash, signature, ...(typeof signedAt === 'string' ? { signedAt } : {}) },
  };
}

function parseKey(value: Record<string, unknown>): ExportLine {
  const { pem, rawHex } = value;
  if (typeof pem !== 'string' || !pem.includes('BEGIN PUBLIC KEY')) {
    return malformed('is a publicKey line without a PEM public key');
  }
  return {
    kind: 'key',
    key: { algorithm: 'Ed25519', pem, rawHex: typeof rawHex === 'string' ? rawHex : '' },
  };
}

function parseStart(value: Record<string, unknown>): ExportLine {
  const { afterPosition, prevHash, filter } = value;
  if (
    typeof afterPosition !== 'number' ||
    !Number.isSafeInteger(afterPosition) ||
    afterPosition < 0 ||
    typeof prevHash !== 'string' ||
    !HEX64.test(prevHash)
  ) {
    return malformed('is a chainStart without a non-negative afterPosition and a 64-hex prevHash');
  }
  return {
    kind: 'start',
    start: { afterPosition, prevHash, ...(isObject(filter) ? { filter: filter } : {}) },
  };
}

function malformed(reason: string): ExportLine {
  return { kind: 'malformed', reason };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
