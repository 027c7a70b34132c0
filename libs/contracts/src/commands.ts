// The commands an agency sends (SPEC §6, §7). Bodies are the HTTP request bodies plus the target id
// and `expectedVersion` where HTTP carries them in the path and `If-Match`.
import type { AlertChanges, SeizureChanges, SeizureReport, SharingRule, ThreatAlert, Uuid } from './events.js';

export interface ReportSeizure extends SeizureReport {
  readonly commandId: Uuid;
}
export interface AmendSeizure {
  readonly commandId: Uuid;
  readonly seizureId: Uuid;
  readonly expectedVersion: number;
  readonly changes: SeizureChanges;
  readonly reason: string;
}
export interface RetractSeizure {
  readonly commandId: Uuid;
  readonly seizureId: Uuid;
  readonly expectedVersion?: number;
  readonly reason: string;
}
export interface IssueAlert extends ThreatAlert {
  readonly commandId: Uuid;
}
export interface UpdateAlert {
  readonly commandId: Uuid;
  readonly alertId: Uuid;
  readonly expectedVersion: number;
  readonly changes: AlertChanges;
  readonly reason: string;
}
export interface WithdrawAlert {
  readonly commandId: Uuid;
  readonly alertId: Uuid;
  readonly expectedVersion?: number;
  readonly reason: string;
}
export interface SetPolicy {
  readonly commandId: Uuid;
  readonly expectedVersion?: number;
  readonly rules: readonly SharingRule[];
}

/** Command body by command name, the last part of `caravan.cmd.<agency>.<command>`. */
export interface CommandBodies {
  'seizure.report': ReportSeizure;
  'seizure.amend': AmendSeizure;
  'seizure.retract': RetractSeizure;
  'alert.issue': IssueAlert;
  'alert.update': UpdateAlert;
  'alert.withdraw': WithdrawAlert;
  'policy.set': SetPolicy;
}
export type CommandName = keyof CommandBodies;

export const COMMAND_NAMES = [
  'seizure.report',
  'seizure.amend',
  'seizure.retract',
  'alert.issue',
  'alert.update',
  'alert.withdraw',
  'policy.set',
] as const satisfies readonly CommandName[];

export function isCommandName(value: string): value is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(value);
}
