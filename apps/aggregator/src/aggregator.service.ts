// The aggregator's one service: checks each shared copy, then folds the batch into the views with
// its checkpoint in one transaction (RiskViewStore.applyCopies).
import { EVENT_TYPES, CaravanError, type AgencyCode, type SharedCopy } from '@caravan/contracts';
import type { JetStreamMessage } from '@caravan/messaging';
import { FencedOffError, type BatchResult, type RiskViewStore } from '@caravan/risk-views';

/** The lead an instance holds while it folds: its epoch, and what to do once it is fenced off. */
export interface AggregatorLead {
  readonly epoch: number;
  readonly onFenced: (error: FencedOffError) => void;
}

/** Folds the regional centre's shared copies into the risk views. */
export class AggregatorService {
  /** The stream sequence of a batch that failed and has yet to come back. */
  private resumeFrom: number | undefined;

  /** @param lead the lead this instance folds under; without it, batches are not fenced. */
  constructor(
    private readonly store: RiskViewStore,
    private readonly recipient: AgencyCode,
    private readonly lead?: AggregatorLead,
  ) {}

  /**
   * Folds one micro-batch. The checkpoint skips what is at or below it, so the fold needs copies in
   * order: after a transient failure, a batch from further on in the stream (delivered while the
   * failed one waits for its redelivery) is sent back too, until the failed one has been folded.
   */
  async apply(messages: readonly JetStreamMessage[]): Promise<BatchResult> {
    const first = messages[0]?.streamSequence ?? 0;
    const last = messages[messages.length - 1]?.streamSequence ?? 0;
    if (this.resumeFrom !== undefined && first > this.resumeFrom) {
      throw new Error(`share stream sequence ${this.resumeFrom} must be folded before ${first}`);
    }
    // Checked before anything is written: one malformed copy fails the batch, and the consumer loop
    // then retries its messages one by one so only that copy is dead-lettered.
    const copies = messages.map((m) => this.check(m.data));
    try {
      const result = await this.store.applyCopies(copies, last, this.lead?.epoch);
      this.resumeFrom = undefined;
      return result;
    } catch (error) {
      this.resumeFrom = Math.min(this.resumeFrom ?? first, first);
      // The batch goes back to the durable (a transient failure) for the instance that leads now.
      if (error instanceof FencedOffError) this.lead?.onFenced(error);
      throw error;
    }
  }

  // A copy that is not the centre's, or not a copy at all, can never be folded: `invalid` terms it
  // into the dead-letter subject instead of blocking the consumer forever.
  private check(body: unknown): SharedCopy {
    const copy = body as Partial<SharedCopy> | null;
    const problems: string[] = [];
    if (typeof copy !== 'object' || copy === null) throw new CaravanError('invalid', 'a shared copy must be an object');
    if (!Number.isSafeInteger(copy.position) || (copy.position ?? 0) < 1) problems.push('position');
    if (typeof copy.type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(copy.type)) problems.push('type');
    if (typeof copy.originator !== 'string') problems.push('originator');
    if (typeof copy.recordedAt !== 'string') problems.push('recordedAt');
    if (typeof copy.payload !== 'object' || copy.payload === null || Array.isArray(copy.payload)) {
      problems.push('payload');
    }
    if (copy.recipient !== this.recipient) problems.push('recipient');
    if (problems.length > 0) {
      throw new CaravanError('invalid', `not a shared copy for ${this.recipient}: bad ${problems.join(', ')}`);
    }
    return copy as SharedCopy;
  }
}
