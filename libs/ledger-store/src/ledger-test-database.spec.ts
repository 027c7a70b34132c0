// Shared by this lib's integration tests only (not exported).
import type { DataSource } from 'typeorm';
import { openDatabase } from '@caravan/database';
import { ledgerSchema } from './ledger.schema.js';

export function openLedgerDatabase(url: string, poolSize = 4): Promise<DataSource> {
  return openDatabase({ url, schemas: [ledgerSchema], poolSize, applicationName: 'ledger-store-test' });
}
