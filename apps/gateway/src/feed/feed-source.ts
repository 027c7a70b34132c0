// What the gateway reads of the deliveries the distributor recorded (each recipient's redacted
// copies). An interface so the feed, SSE, GET-by-id and hit code do not depend on the table layout;
// the implementation over @caravan/sharing-store is wired in gateway.app.ts.
import type { SharedCopy } from '@caravan/contracts';

/** One page of a recipient's copies. */
export interface FeedQuery {
  readonly recipient: string;
  /** Positions strictly after this one. */
  readonly after: number;
  readonly limit: number;
  /** Type globs (`seizure.*`, `threat.alert.issued`, `*`); none means every type. */
  readonly types?: readonly string[];
}

export interface FeedSource {
  /** The recipient's copies after `after`, in position order, at most `limit`. */
  page(query: FeedQuery): Promise<SharedCopy[]>;
  /** Every copy the recipient received of one stream (`seizure-<id>`, `alert-<id>`), in position order. */
  copiesOfStream(recipient: string, streamId: string): Promise<SharedCopy[]>;
  /** Calls `listener` whenever new copies may exist for `recipient`; returns the unsubscribe function. */
  onDelivered(recipient: string, listener: () => void): () => void;
  close(): Promise<void>;
}

/** `types=seizure.*,threat.alert.issued`: a glob is dotted lower-case words and `*`. */
export const TYPE_GLOB = /^[a-z*][a-z.*-]{0,63}$/;
