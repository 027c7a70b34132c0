export { canonicalJson } from './canonical-json.js';
export { GENESIS_HASH, chainedFields, hashEvent } from './hash-chain.js';
export type { Checkpoint } from './checkpoint.js';
export { checkpointMessage, signCheckpoint, verifyCheckpoint, ledgerPublicKey } from './checkpoint.js';
export type { ChainBreak, ChainReport, ChainStart } from './chain-verifier.js';
export { ChainVerifier, verifyChain } from './chain-verifier.js';
