/** RFC 8785 (JCS) canonical JSON: the one serialiser behind every hash and digest. */
export { canonicalJson } from './canonical-json.js';
/** The genesis previous hash, the chained object, an event's hash and the link under it (SPEC §4). */
export { GENESIS_HASH, chainedFields, hashEvent, chainLink } from './hash-chain.js';
/** The JCS text of the nine chained fields from the payload's JCS text. */
export { canonicalEnvelope } from './hash-chain.js';
/** The envelope fields the chain hashes beside the payload. */
export type { ChainedEnvelope } from './hash-chain.js';
/** A signed checkpoint. */
export type { Checkpoint } from './checkpoint.js';
/** Signing, verifying and publishing checkpoints of the ledger key. */
export { checkpointMessage, signCheckpoint, verifyCheckpoint, ledgerPublicKey } from './checkpoint.js';
/** A verification's first break, its report, and where it starts. */
export type { ChainBreak, ChainReport, ChainStart } from './chain-verifier.js';
/** Verifies a history event by event, then its checkpoints. */
export { ChainVerifier, verifyChain } from './chain-verifier.js';
