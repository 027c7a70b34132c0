// The cache's promises without a database: a source whose loads the test resolves by hand.
import type { Directory } from '@caravan/contracts';
import { DirectoryCache } from './directory-cache.js';

const agency = (code: string) => ({ code, name: code, country: code.slice(0, 2), kind: 'border' as const, groups: [] });
const directoryOf = (...codes: string[]): Directory => ({ agencies: codes.map(agency), crossingPoints: [] });

class ManualSource {
  readonly pending: { resolve: (d: Directory) => void; reject: (e: unknown) => void }[] = [];
  loadDirectory(): Promise<Directory> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  finish(index: number, directory: Directory): void {
    this.pending[index]!.resolve(directory);
  }
}

function setUp(maxAgeMs = 1000) {
  let now = 0;
  const source = new ManualSource();
  const cache = new DirectoryCache(source, { maxAgeMs, clock: () => now });
  return { source, cache, advance: (ms: number) => (now += ms) };
}

describe('DirectoryCache', () => {
  it('serves one load to every caller while it is young, then loads again', async () => {
    const { source, cache, advance } = setUp();
    const [a, b] = [cache.current(), cache.current()];
    expect(source.pending).toHaveLength(1);
    source.finish(0, directoryOf('TJ-DCA'));
    expect((await a).agency('TJ-DCA')?.code).toBe('TJ-DCA');
    expect(await b).toBe(await a);
    advance(999);
    expect(await cache.current()).toBe(await a);
    expect(source.pending).toHaveLength(1);
    advance(1);
    const later = cache.current();
    expect(source.pending).toHaveLength(2);
    source.finish(1, directoryOf('TJ-DCA', 'KZ-BS'));
    expect((await later).agency('KZ-BS')).toBeDefined();
  });

  it('answers since(mark) only from a load begun after the mark, sharing one under way', async () => {
    const { source, cache } = setUp();
    const first = cache.current();
    const mark = cache.mark();
    // The load under way began before the mark: it cannot answer for what was committed before it.
    const fresh = cache.since(mark);
    const alsoFresh = cache.since(mark);
    expect(source.pending).toHaveLength(2);
    source.finish(1, directoryOf('TJ-DCA', 'UZ-CUS'));
    source.finish(0, directoryOf('TJ-DCA'));
    expect((await fresh).agency('UZ-CUS')).toBeDefined();
    expect(await alsoFresh).toBe(await fresh);
    expect((await first).agency('UZ-CUS')).toBeUndefined();
    // The older load finished last but does not replace the newer snapshot.
    expect((await cache.current()).agency('UZ-CUS')).toBeDefined();
    expect(await cache.since(mark)).toBe(await fresh);
    expect(source.pending).toHaveLength(2);
  });

  it('after invalidate, serves current() only from a load begun after it', async () => {
    const { source, cache } = setUp();
    const before = cache.current();
    cache.invalidate();
    const after = cache.current();
    expect(source.pending).toHaveLength(2);
    source.finish(0, directoryOf('TJ-DCA'));
    source.finish(1, directoryOf('TJ-DCA', 'KG-DCA'));
    expect((await before).agency('KG-DCA')).toBeUndefined();
    expect((await after).agency('KG-DCA')).toBeDefined();
    expect(await cache.current()).toBe(await after);
  });

  it('passes a failed load on to its callers and tries again on the next call', async () => {
    const { source, cache } = setUp();
    const failed = cache.current();
    source.pending[0]!.reject(new Error('database gone'));
    await expect(failed).rejects.toThrow('database gone');
    const retried = cache.current();
    expect(source.pending).toHaveLength(2);
    source.finish(1, directoryOf('TJ-DCA'));
    expect((await retried).load).toBe(2);
  });
});
