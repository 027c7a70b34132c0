// The feed over @caravan/sharing-store: pages and aggregate copies from the deliveries table, and
// wake-ups from its LISTEN/NOTIFY channel (one listening session per gateway process, shared by
// every SSE connection).
import type { DataSource } from 'typeorm';
import type { SharedCopy } from '@caravan/contracts';
import { SharingNotifier, SharingStore } from '@caravan/sharing-store';
import type { FeedQuery, FeedSource } from './feed-source.js';

export class SharingFeedSource implements FeedSource {
  private constructor(
    private readonly store: SharingStore,
    private readonly notifier: SharingNotifier,
  ) {}

  static async open(db: DataSource): Promise<SharingFeedSource> {
    return new SharingFeedSource(new SharingStore(db), await SharingNotifier.listen(db));
  }

  async page(query: FeedQuery): Promise<SharedCopy[]> {
    const page = await this.store.feed(query.recipient, {
      after: query.after,
      limit: query.limit,
      ...(query.types ? { types: query.types } : {}),
    });
    return [...page.copies];
  }

  copiesOfStream(recipient: string, streamId: string): Promise<SharedCopy[]> {
    return this.store.aggregateCopies(recipient, streamId);
  }

  onDelivered(recipient: string, listener: () => void): () => void {
    // 'resync': the listening session was re-established and notices may have been missed.
    return this.notifier.onDelivery((notice) => {
      if (notice === 'resync' || notice.recipient === recipient) listener();
    });
  }

  close(): Promise<void> {
    return this.notifier.close();
  }
}
