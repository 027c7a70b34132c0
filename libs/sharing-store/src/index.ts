// @caravan/sharing-store: what the distributor delivered, to whom, under which policy (SPEC §5), and
// every recipient's feed (SPEC §7), in PostgreSQL.
//
// - The distributor writes: `record(name, upTo, deliveries, { published })` inserts a batch of
//   deliveries and moves its checkpoint (and its `published` mark) in ONE transaction (and NOTIFYs
//   followers on commit); `markPublished(name, pos)` when no record is coming to carry the mark;
//   `progress(name)`, `unpublished(name)` (republish, in order, after a crash or a failed publish),
//   `checkpoint(name)`, `deliveriesOf(eventId)` and `recipientsOf(aggregateId)` /
//   `recipientsOfAll(aggregateIds)` (follow-ups).
// - The gateway reads: `feed(recipient, {after, limit, types})` → `{copies, next}`;
//   `aggregateCopies(recipient, aggregateId)`; `SharingNotifier.waitForDeliveryAfter(recipient, pos)`
//   for SSE followers.
// - Auditors read: `disclosures({eventId, recipient, path, from, to, after, limit})`.
//
// Aggregate ids are stream ids: `streamIds.seizure(seizureId)` / `streamIds.alert(alertId)` from
// @caravan/contracts. Copies are stored and returned exactly as delivered (`SharedCopy`); the digest
// is `copyDigest(copy)` of @caravan/domain (SHA-256 hex of the JCS form).
/** Tables of deliveries and the distributor's checkpoint, for `openDatabase({ schemas })`. */
export { sharingSchema } from './sharing.schema.js';
/** The migration that creates them. */
export { CreateSharing1764000000300 } from './migrations/create-sharing.migration.js';
/** The migration that stores the delivered copy as json rather than jsonb. */
export { DeliveriesCopyJson1764000000310 } from './migrations/deliveries-copy-json.migration.js';
/** A delivery to record and what else to move with it, a recorded one, a disclosure line and its query, a feed query and page, progress marks. */
export type {
  DeliveryRecord,
  RecordOptions,
  StoredDelivery,
  Disclosure,
  DisclosureQuery,
  FeedQuery,
  FeedPage,
  Progress,
} from './sharing-store.js';
/** Records deliveries with the checkpoint; reads feeds, aggregate copies, recipients and disclosures. */
export { SharingStore } from './sharing-store.js';
/** The NOTIFY channel of new deliveries (payload `{"recipient","position"}`). */
export { DELIVERIES_CHANNEL } from './sharing-store.js';
/** A new-delivery notice. */
export type { DeliveryNotice } from './sharing-notifier.js';
/** LISTENs for new deliveries: per-notice callbacks and a race-free wait for one recipient. */
export { SharingNotifier } from './sharing-notifier.js';
/** A feed type glob (`seizure.*`) as a SQL LIKE pattern. */
export { globToLike } from './type-globs.js';
