// What a seizure or an alert says now, folded from its events: the original with each amendment or
// update applied, and whether it was retracted or withdrawn. Readers (distributor, gateway,
// aggregator) use these instead of re-implementing the merge.
import type { AgencyCode, RecordedEvent, SeizureReport, ThreatAlert } from '@caravan/contracts';
import { alertDecider, type RecordedAlertEvent } from './alert.decider.js';
import { seizureDecider, type RecordedSeizureEvent } from './seizure.decider.js';

/** A seizure as it stands after its recorded events. */
export interface SeizureView {
  readonly seizureId: string;
  readonly originator: AgencyCode;
  readonly payload: SeizureReport;
  readonly retracted: boolean;
  readonly retractionReason?: string;
  /** Stream version of the last event folded in. */
  readonly streamVersion: number;
}

/** An alert as it stands after its recorded events. */
export interface AlertView {
  readonly alertId: string;
  readonly originator: AgencyCode;
  readonly payload: ThreatAlert;
  readonly withdrawn: boolean;
  readonly withdrawalReason?: string;
  readonly streamVersion: number;
}

/** The current seizure from its full recorded events (any order of arrival is sorted by stream version). */
export function currentSeizure(events: readonly RecordedEvent[]): SeizureView | undefined {
  const mine = sortByVersion(events).filter((e): e is RecordedEvent & RecordedSeizureEvent =>
    e.type.startsWith('seizure.'),
  );
  const state = mine.reduce(seizureDecider.evolve, seizureDecider.initialState());
  if (state.status === 'empty') return undefined;
  return {
    seizureId: state.current.seizureId,
    originator: state.originator,
    payload: state.current,
    retracted: state.status === 'retracted',
    ...(state.retractionReason !== undefined ? { retractionReason: state.retractionReason } : {}),
    streamVersion: mine.at(-1)?.streamVersion ?? 0,
  };
}

/** The current alert from its full recorded events. */
export function currentAlert(events: readonly RecordedEvent[]): AlertView | undefined {
  const mine = sortByVersion(events).filter((e): e is RecordedEvent & RecordedAlertEvent =>
    e.type.startsWith('threat.alert.'),
  );
  const state = mine.reduce(alertDecider.evolve, alertDecider.initialState());
  if (state.status === 'empty') return undefined;
  return {
    alertId: state.current.alertId,
    originator: state.originator,
    payload: state.current,
    withdrawn: state.status === 'withdrawn',
    ...(state.withdrawalReason !== undefined ? { withdrawalReason: state.withdrawalReason } : {}),
    streamVersion: mine.at(-1)?.streamVersion ?? 0,
  };
}

/** A seizure's or alert's payload as far as a reader's events show it (full or redacted copies). */
export interface CurrentPayload {
  readonly payload: Readonly<Record<string, unknown>>;
  /** Retracted or withdrawn. */
  readonly ended: boolean;
  readonly endReason?: string;
}

/**
 * The same fold over loosely typed payloads, for redacted copies where any field may be missing:
 * the reported/issued payload, each `changes` object applied field by field, then the end flag.
 * Returns undefined when the events hold no report or issue.
 */
export function currentPayload(
  events: readonly { readonly type: string; readonly payload: Readonly<Record<string, unknown>> }[],
): CurrentPayload | undefined {
  let current: CurrentPayload | undefined;
  for (const event of events) {
    switch (event.type) {
      case 'seizure.reported':
      case 'threat.alert.issued':
        current ??= { payload: event.payload, ended: false };
        break;
      case 'seizure.amended':
      case 'threat.alert.updated': {
        const changes = event.payload['changes'];
        if (current && !current.ended && isRecord(changes)) {
          current = { ...current, payload: { ...current.payload, ...changes } };
        }
        break;
      }
      case 'seizure.retracted':
      case 'threat.alert.withdrawn': {
        const reason = event.payload['reason'];
        if (current && !current.ended) {
          current = { ...current, ended: true, ...(typeof reason === 'string' ? { endReason: reason } : {}) };
        }
        break;
      }
      default:
        break;
    }
  }
  return current;
}

function sortByVersion(events: readonly RecordedEvent[]): RecordedEvent[] {
  return [...events].sort((a, b) => a.streamVersion - b.streamVersion);
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
