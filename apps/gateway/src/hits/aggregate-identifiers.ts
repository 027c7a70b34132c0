// What the hit index holds for one seizure or alert: the identifier keys of its CURRENT state (the
// report or issue with every amendment or update applied), and nothing once it is retracted or
// withdrawn. Pure: the same fold the per-query scan used, so the index cannot mean anything else.
import type { RecordedEvent } from '@caravan/contracts';
import { currentAlert, currentSeizure, SHAREABLE_TYPES } from '@caravan/domain';
import { identifierKeys } from './identifiers.js';

/** The seizure and alert event types (the shareable ones); nothing else changes what an aggregate says. */
export const INDEXED_TYPES: readonly string[] = SHAREABLE_TYPES;

/** The identifier keys an aggregate carries now, and who to contact about it. */
export interface AggregateIdentifiers {
  readonly streamId: string;
  readonly originator: string;
  readonly keys: readonly string[];
}

/** One stream's events in a page of the ledger. */
export interface StreamSlice {
  readonly streamId: string;
  readonly events: readonly RecordedEvent[];
  /** The slice starts at stream version 1, so it is the whole stream up to the page's end. */
  readonly whole: boolean;
}

/**
 * The current identifiers of a stream from ALL its events so far; an empty key list when it was
 * retracted or withdrawn, or holds no report or issue.
 */
export function currentIdentifiers(streamId: string, events: readonly RecordedEvent[]): AggregateIdentifiers {
  const view = streamId.startsWith('seizure-') ? currentSeizure(events) : currentAlert(events);
  const originator = view?.originator ?? events[0]?.originator ?? '';
  if (!view || ('retracted' in view ? view.retracted : view.withdrawn)) return { streamId, originator, keys: [] };
  const keys = identifierKeys(view.payload as unknown as Record<string, unknown>);
  return { streamId, originator, keys: [...keys].sort() };
}

/**
 * A page of ledger events (position order) split by stream, in order of first appearance. A stream
 * whose slice begins at version 1 is complete in the page (the page holds every event up to its
 * last position); any other needs its earlier events read before it can be folded.
 */
export function sliceByStream(events: readonly RecordedEvent[]): StreamSlice[] {
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const list = byStream.get(event.streamId);
    if (list) list.push(event);
    else byStream.set(event.streamId, [event]);
  }
  return [...byStream].map(([streamId, list]) => ({
    streamId,
    events: list,
    whole: list[0]?.streamVersion === 1,
  }));
}
