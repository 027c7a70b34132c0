// The audit side of the gateway: one method per endpoint, each a call into @caravan/audit or the
// sharing store. Reads of full data are recorded in the audit access record before any is served.
import type { ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  AuditAccessLog,
  ChainStatusStore,
  LedgerVerifier,
  asSeen,
  writeExport,
  type AsSeen,
  type AuditAccess,
  type ChainStatus,
  type ReportedChainStatus,
} from '@caravan/audit';
import { CaravanError } from '@caravan/contracts';
import type { Checkpoint } from '@caravan/domain';
import { ledgerPublicKey } from '@caravan/domain';
import { SharingStore, type Disclosure } from '@caravan/sharing-store';
import type { CallerIdentity } from '../auth/index.js';
import { GatewayContext } from '../gateway.context.js';
import type { DisclosuresParams, EventsParams } from './audit-params.js';
import { SharedPass } from './shared-pass.js';

/** GET /v1/audit/status: the auditor's last report, and the ledger head now. */
export type AuditorStatus = ReportedChainStatus & { readonly ledgerHead: number };

/** A page of the disclosure record; `next` is the cursor of the following page, when there is one. */
export interface DisclosurePage {
  readonly disclosures: readonly Disclosure[];
  readonly next?: string;
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger('audit');
  private readonly accesses: AuditAccessLog;
  private readonly sharing: SharingStore;
  private readonly chainStatus: ChainStatusStore;
  private readonly verification: SharedPass<ChainStatus>;

  constructor(@Inject(GatewayContext) private readonly ctx: GatewayContext) {
    this.accesses = new AuditAccessLog(ctx.db);
    this.sharing = new SharingStore(ctx.db);
    this.chainStatus = new ChainStatusStore(ctx.db);
    this.verification = new SharedPass(() => new LedgerVerifier(ctx.ledger, ctx.config.ledgerPublicKeyPem).advance());
  }

  /** The ledger public key as served by GET /v1/audit/keys. */
  keys(): { algorithm: 'Ed25519'; pem: string; hex: string } {
    const { pem, rawHex } = ledgerPublicKey(this.ctx.config.ledgerPublicKeyPem);
    return { algorithm: 'Ed25519', pem, hex: rawHex };
  }

  /** Streams full events (or a verifiable export) as NDJSON, after recording the read. */
  async streamEvents(caller: CallerIdentity, params: EventsParams, res: ServerResponse): Promise<void> {
    const head = (await this.ctx.ledger.head()).position;
    const upTo = Math.min(params.to ?? head, head);
    const filter = {
      ...(params.streamId ? { streamId: params.streamId } : {}),
      ...(params.types ? { types: params.types } : {}),
      ...(params.originator ? { originator: params.originator } : {}),
      ...(params.recordedFrom ? { recordedFrom: params.recordedFrom } : {}),
      ...(params.recordedBefore ? { recordedBefore: params.recordedBefore } : {}),
    };
    const access = await this.accesses.record({
      agency: caller.agency,
      keyId: caller.keyId,
      action: 'events',
      fromPosition: params.from,
      toPosition: upTo,
      detail: { ...filter, export: params.export },
    });
    this.logger.log({ msg: 'auditor read of full events', accessId: access.id, from: params.from, to: upTo });
    res.statusCode = 200;
    res.setHeader('content-type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('caravan-last-position', String(upTo));
    res.setHeader('caravan-audit-access', String(access.id));
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    try {
      await writeExport(this.ctx.ledger, res, {
        after: params.from - 1,
        upTo,
        filter,
        checkpoints: params.export,
        ...(params.export ? { publicKey: ledgerPublicKey(this.ctx.config.ledgerPublicKeyPem) } : {}),
        signal: aborted.signal,
      });
      res.end();
    } catch (error) {
      // Headers are gone: the only honest signal left is a broken stream.
      if (!aborted.signal.aborted) this.logger.error({ msg: 'audit event stream failed', error: String(error) });
      res.destroy();
    }
  }

  /** Signed checkpoints of a range. */
  async checkpoints(range: { from: number; to?: number }): Promise<{ items: Checkpoint[] }> {
    const items: Checkpoint[] = [];
    for await (const checkpoint of this.ctx.ledger.readCheckpoints({
      after: range.from - 1,
      ...(range.to !== undefined ? { upTo: range.to } : {}),
    })) {
      items.push(checkpoint);
    }
    return { items };
  }

  /** A verification of the whole stored chain and every checkpoint, begun after the call. */
  verify(): Promise<ChainStatus> {
    return this.verification.run();
  }

  /** What the continuous auditor last reported, beside the ledger head now. */
  async status(): Promise<AuditorStatus> {
    const [reported, head] = await Promise.all([this.chainStatus.latest(), this.ctx.ledger.head()]);
    if (!reported) {
      throw new CaravanError('not-found', 'no auditor has reported yet: is the auditor app (or caravan up) running?');
    }
    return { ...reported, ledgerHead: head.position };
  }

  /** The disclosure record. */
  async disclosures(params: DisclosuresParams): Promise<DisclosurePage> {
    const disclosures = await this.sharing.disclosures(params);
    const last = disclosures.at(-1);
    return {
      disclosures,
      ...(last && disclosures.length === params.limit ? { next: `${last.position}:${last.recipient}` } : {}),
    };
  }

  /** What a recipient had been shown of an event by a time, rebuilt and checked (recorded as a read). */
  async asSeen(caller: CallerIdentity, query: { recipient: string; eventId: string; at?: string }): Promise<AsSeen> {
    await this.accesses.record({
      agency: caller.agency,
      keyId: caller.keyId,
      action: 'as-seen',
      detail: { ...query },
    });
    return asSeen(
      {
        ledger: this.ctx.ledger,
        disclosures: (q) => this.sharing.disclosures(q),
        directory: await this.ctx.directory.current(),
        secret: this.ctx.config.pseudonymSecret,
      },
      query,
    );
  }

  /** The recorded auditor reads. */
  async accessesPage(query: Parameters<AuditAccessLog['list']>[0] & { limit: number }): Promise<{
    accesses: AuditAccess[];
    next?: number;
  }> {
    const accesses = await this.accesses.list(query);
    const last = accesses.at(-1);
    return { accesses, ...(last && accesses.length === query.limit ? { next: last.id } : {}) };
  }
}
