// Sharing policies and redaction (SPEC §5): who receives which fields of an event. Pure.
/** One version of an agency's outbound policy: its number and its rules. */
export type { SharingPolicy } from './evaluate-sharing.js';
/** Everything a sharing decision needs, loaded by the caller. */
export type { SharingInput } from './evaluate-sharing.js';
/** One recipient's redacted payload, its delivered leaf paths and the deciding policy version. */
export type { Delivery } from './evaluate-sharing.js';
/** A sample event for a policy preview. */
export type { PreviewSample } from './evaluate-sharing.js';
/** What one directory agency would get of a preview sample. */
export type { PolicyPreview } from './evaluate-sharing.js';
/** Decides every recipient's copy of one recorded event under its originator's policy. */
export { evaluateSharing } from './evaluate-sharing.js';
/** What each directory agency would get of a sample event under a draft policy. */
export { previewPolicy } from './evaluate-sharing.js';
/** Refuses a policy naming unknown paths, agencies, groups, types or transforms, entry by entry. */
export { validatePolicy } from './sharing-policy.js';
/** The event types sharing delivers (never `policy.set`). */
export { SHAREABLE_TYPES } from './sharing-policy.js';
/** A shareable event type. */
export type { ShareableType } from './sharing-policy.js';
/** Whether a policy type pattern (`*`, `seizure.*`, an exact type) matches an event type. */
export { typeMatches } from './sharing-policy.js';
/** The recipient's `SharedCopy` of an event from its delivery. */
export { toSharedCopy } from './shared-copy.js';
/** SHA-256 hex of the JCS form of a shared copy, as recorded in the disclosure record. */
export { copyDigest } from './shared-copy.js';
/** SPEC §5 pseudonym token of an identifier under the hub secret. */
export { pseudonymize } from './pseudonym.js';
/** SPEC §5 identifier normalisation (NFKC, lower case, collapsed spaces, trimmed). */
export { normalizeIdentifier } from './pseudonym.js';
/** Every field path a policy may name for a seizure or an alert payload. */
export { knownPaths } from './field-paths.js';
