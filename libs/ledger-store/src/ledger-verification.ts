import type { KeyObject } from 'node:crypto';
import { ChainVerifier, type ChainReport } from '@caravan/domain';
import type { LedgerReader } from './ledger-reader.js';

/**
 * Verifies the stored ledger (SPEC §4): every event's hash recomputed in position order with no
 * position missing, then every checkpoint's signature and hash. Streams the table page by page; the
 * report names the first broken position.
 */
export async function verifyLedger(
  reader: LedgerReader,
  options: { readonly publicKey?: string | KeyObject } = {},
): Promise<ChainReport> {
  const verifier = new ChainVerifier(options.publicKey);
  for await (const event of reader.readAll()) {
    if (verifier.acceptEvent(event)) return verifier.report();
  }
  if (options.publicKey !== undefined) {
    for await (const checkpoint of reader.readCheckpoints()) {
      if (verifier.acceptCheckpoint(checkpoint)) break;
    }
  }
  return verifier.report();
}
