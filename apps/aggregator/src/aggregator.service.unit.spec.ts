import { CaravanError, type SharedCopy } from '@caravan/contracts';
import type { JetStreamMessage } from '@caravan/messaging';
import type { BatchResult, RiskViewStore } from '@caravan/risk-views';
import { AggregatorService } from './aggregator.service.js';

function message(streamSequence: number, data: unknown): JetStreamMessage {
  return {
    subject: 'caravan.share.CARICC.seizure.reported',
    data,
    headers: {},
    streamSequence,
    deliveryCount: 1,
  } as JetStreamMessage;
}

function copy(position: number, over: Partial<SharedCopy> = {}): SharedCopy {
  return {
    eventId: `e${position}`,
    type: 'seizure.reported',
    schemaVersion: 1,
    streamId: `seizure-s${position}`,
    streamVersion: 1,
    position,
    originator: 'TJ-DCA',
    recordedAt: '2025-03-10T08:00:00.000Z',
    recipient: 'CARICC',
    policyVersion: 1,
    payload: { seizureId: `s${position}` },
    ...over,
  };
}

/** A store that records what it was asked to fold and fails when told to. */
function fakeStore() {
  const calls: Array<{ positions: number[]; streamSequence: number | undefined }> = [];
  let failNext = false;
  const store = {
    applyCopies: async (copies: readonly SharedCopy[], streamSequence?: number): Promise<BatchResult> => {
      if (failNext) {
        failNext = false;
        throw new Error('connection terminated');
      }
      calls.push({ positions: copies.map((c) => c.position), streamSequence });
      return { applied: copies.length, skipped: 0, position: copies.at(-1)?.position ?? 0 };
    },
  };
  return { store: store as unknown as RiskViewStore, calls, failOnce: () => (failNext = true) };
}

describe('AggregatorService', () => {
  it('folds a batch and hands the store the stream sequence of its last message', async () => {
    const { store, calls } = fakeStore();
    await new AggregatorService(store, 'CARICC').apply([message(7, copy(10)), message(9, copy(12))]);
    expect(calls).toEqual([{ positions: [10, 12], streamSequence: 9 }]);
  });

  it('after a failed batch, sends later batches back until the failed one has been folded', async () => {
    const { store, calls, failOnce } = fakeStore();
    const service = new AggregatorService(store, 'CARICC');
    failOnce();
    await expect(service.apply([message(5, copy(10))])).rejects.toThrow('connection terminated');
    // Delivered while the failed message waits for its redelivery: folding it would move the
    // checkpoint past position 10, and the redelivered copy would then be skipped.
    await expect(service.apply([message(6, copy(11))])).rejects.toThrow('must be folded before');
    await service.apply([message(5, copy(10))]);
    await service.apply([message(6, copy(11))]);
    expect(calls.map((c) => c.positions)).toEqual([[10], [11]]);
  });

  it('refuses, as a poison message, anything that is not a copy for the centre', async () => {
    const { store, calls } = fakeStore();
    const service = new AggregatorService(store, 'CARICC');
    const refused = service.apply([message(1, copy(3, { recipient: 'KZ-BS' }))]);
    await expect(refused).rejects.toBeInstanceOf(CaravanError);
    await expect(refused).rejects.toMatchObject({ code: 'invalid' });
    await expect(service.apply([message(2, { position: 'x' })])).rejects.toMatchObject({ code: 'invalid' });
    // A poison copy does not hold back the ones after it.
    await service.apply([message(3, copy(4))]);
    expect(calls.map((c) => c.positions)).toEqual([[4]]);
  });
});
