// Policies are events (SPEC §3.6): read from the ledger, replaced by a `policy.set` command through
// the ledger, previewed with the domain's pure previewPolicy.
import { Inject, Injectable } from '@nestjs/common';
import {
  CaravanError,
  TLP_LEVELS,
  type CommandName,
  type FieldError,
  type Handling,
  type SharingRule,
} from '@caravan/contracts';
import {
  previewPolicy,
  SHAREABLE_TYPES,
  validatePolicy,
  type PolicyPreview,
  type ShareableType,
} from '@caravan/domain';
import { validateCommand } from '@caravan/validation';
import type { CallerIdentity } from '../auth/index.js';
import { CommandService } from '../commands/command.service.js';
import { DirectoryCache } from '../directory/directory.cache.js';
import { GatewayContext } from '../gateway.context.js';

/** GET /v1/policies/{agency}. */
export interface PolicyView {
  readonly agency: string;
  readonly version: number;
  readonly rules: readonly SharingRule[];
}

// Validation of a preview sample reuses the command rules of its type.
const COMMAND_OF: { readonly [T in ShareableType]: CommandName } = {
  'seizure.reported': 'seizure.report',
  'seizure.amended': 'seizure.amend',
  'seizure.retracted': 'seizure.retract',
  'threat.alert.issued': 'alert.issue',
  'threat.alert.updated': 'alert.update',
  'threat.alert.withdrawn': 'alert.withdraw',
};
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(errors: FieldError[]): CaravanError {
  return new CaravanError('invalid', 'the request is invalid; see errors', errors);
}

@Injectable()
export class PolicyService {
  constructor(
    @Inject(GatewayContext) private readonly ctx: GatewayContext,
    @Inject(CommandService) private readonly commands: CommandService,
    @Inject(DirectoryCache) private readonly directory: DirectoryCache,
  ) {}

  async current(agency: string): Promise<PolicyView> {
    const event = await this.ctx.ledger.policyAt(agency, Number.MAX_SAFE_INTEGER);
    return event
      ? { agency, version: event.streamVersion, rules: event.payload.rules }
      : { agency, version: 0, rules: [] };
  }

  async set(
    caller: CallerIdentity,
    body: unknown,
    ifMatchVersion: number | undefined,
  ): Promise<{ agency: string; version: number; eventId: string; position: number }> {
    if (!isRecord(body)) throw invalid([{ path: '', message: 'must be a JSON object' }]);
    const { agency: _agency, ...rest } = body;
    const command: Record<string, unknown> = { commandId: crypto.randomUUID(), ...rest };
    if (ifMatchVersion !== undefined) command['expectedVersion'] = ifMatchVersion;
    await this.checkRules(command);
    const accepted = await this.commands.send(caller, 'policy.set', command);
    return {
      agency: caller.agency,
      version: accepted.streamVersion,
      eventId: accepted.eventId,
      position: accepted.position,
    };
  }

  async preview(caller: CallerIdentity, body: unknown): Promise<PolicyPreview[]> {
    if (!isRecord(body)) throw invalid([{ path: '', message: 'must be a JSON object' }]);
    const errors: FieldError[] = Object.keys(body)
      .filter((key) => key !== 'rules' && key !== 'sample')
      .map((path) => ({ path, message: 'unknown field' }));
    const rules = await this.checkRules({ commandId: PLACEHOLDER_ID, rules: body['rules'] }, errors);
    const sample = body['sample'];
    let type: ShareableType | undefined;
    let payload: Record<string, unknown> | undefined;
    let handling: Handling | undefined;
    if (!isRecord(sample)) errors.push({ path: 'sample', message: 'must be {type, payload}' });
    else {
      for (const key of Object.keys(sample)) {
        if (!['type', 'payload', 'handling'].includes(key))
          errors.push({ path: `sample.${key}`, message: 'unknown field' });
      }
      if (!(SHAREABLE_TYPES as readonly unknown[]).includes(sample['type'])) {
        errors.push({ path: 'sample.type', message: `must be one of ${SHAREABLE_TYPES.join(', ')}` });
      } else {
        type = sample['type'] as ShareableType;
        payload = this.checkSamplePayload(type, sample['payload'], errors);
      }
      const h = sample['handling'];
      if (h !== undefined) {
        if (!isRecord(h) || !(TLP_LEVELS as readonly unknown[]).includes(h['tlp'])) {
          errors.push({ path: 'sample.handling.tlp', message: `must be one of ${TLP_LEVELS.join(', ')}` });
        } else handling = h as unknown as Handling;
      } else if (type !== undefined && !type.endsWith('.reported') && !type.endsWith('.issued')) {
        errors.push({ path: 'sample.handling', message: 'is required to preview a follow-up event' });
      }
    }
    if (errors.length > 0 || !type || !payload || !rules) throw invalid(errors);
    const directory = await this.directory.current();
    return previewPolicy(
      rules,
      { originator: caller.agency, type, payload, ...(handling ? { handling } : {}) },
      directory,
      this.ctx.config.pseudonymSecret,
    );
  }

  /** The shared DTO rules, then the domain's check of paths, agencies, groups and types. */
  private async checkRules(
    command: Record<string, unknown>,
    collect?: FieldError[],
  ): Promise<readonly SharingRule[] | undefined> {
    const result = validateCommand('policy.set', command, { now: new Date(), crossingPoints: [] });
    if (!result.ok) {
      if (!collect) throw invalid(result.errors);
      collect.push(...result.errors);
      return undefined;
    }
    const policyErrors = validatePolicy(result.value.rules, await this.directory.current());
    if (policyErrors.length > 0) {
      if (!collect) throw invalid(policyErrors);
      collect.push(...policyErrors);
      return undefined;
    }
    return result.value.rules;
  }

  private checkSamplePayload(
    type: ShareableType,
    payload: unknown,
    errors: FieldError[],
  ): Record<string, unknown> | undefined {
    if (!isRecord(payload)) {
      errors.push({ path: 'sample.payload', message: 'must be a JSON object' });
      return undefined;
    }
    const name = COMMAND_OF[type];
    const followUp = name.endsWith('.amend') || name.endsWith('.update');
    const candidate = { ...payload, commandId: PLACEHOLDER_ID, ...(followUp ? { expectedVersion: 1 } : {}) };
    const result = validateCommand(name, candidate, { now: new Date(), crossingPoints: [] });
    if (!result.ok) {
      // Crossing points are not the preview's concern: a sample may name any.
      const relevant = result.errors.filter((e) => !/crossingPoints?\b/.test(e.path) || !/directory/.test(e.message));
      errors.push(...relevant.map((e) => ({ path: `sample.payload.${e.path}`, message: e.message })));
      if (relevant.length > 0) return undefined;
      return payload;
    }
    const { commandId: _c, expectedVersion: _v, ...value } = result.value as unknown as Record<string, unknown>;
    return value;
  }
}
