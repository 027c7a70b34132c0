import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';

/** The audit endpoints of SPEC §7 (apps/gateway/src/audit, owned by the auditor's engineer). */
@Module({ controllers: [AuditController], providers: [AuditService] })
export class AuditModule {}
