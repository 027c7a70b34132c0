import type { DatabaseSchema } from '@caravan/database';
import { CreateAuditAccess1764000000700 } from './migrations/create-audit-access.migration.js';
import { CreateAuditChainStatus1764000000710 } from './migrations/create-audit-chain-status.migration.js';

/** The audit side's tables, for openDatabase({ schemas: [ledgerSchema, auditSchema, …] }). */
export const auditSchema: DatabaseSchema = {
  name: 'audit',
  migrations: [CreateAuditAccess1764000000700, CreateAuditChainStatus1764000000710],
};
