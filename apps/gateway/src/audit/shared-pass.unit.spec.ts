import { SharedPass } from './shared-pass.js';

/** A pass the test finishes by hand; each started pass is numbered. */
function controlledPasses() {
  const started: { finish: (value: number) => void; fail: (error: Error) => void }[] = [];
  const pass = () =>
    new Promise<number>((resolve, reject) => {
      const number = started.length + 1;
      started.push({ finish: () => resolve(number), fail: reject });
    });
  return { started, pass };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedPass', () => {
  it('starts a pass for a caller when none runs', async () => {
    const { started, pass } = controlledPasses();
    const shared = new SharedPass(pass);
    const answer = shared.run();
    expect(started).toHaveLength(1);
    started[0]!.finish(0);
    await expect(answer).resolves.toBe(1);
  });

  it('gives the callers who arrive during a pass one next pass, started when the running one ends', async () => {
    const { started, pass } = controlledPasses();
    const shared = new SharedPass(pass);
    const first = shared.run();
    const during = [shared.run(), shared.run(), shared.run()];
    expect(started).toHaveLength(1);
    started[0]!.finish(0);
    await expect(first).resolves.toBe(1);
    await turn();
    expect(started).toHaveLength(2);
    const alsoDuringSecond = shared.run();
    started[1]!.finish(0);
    await expect(Promise.all(during)).resolves.toEqual([2, 2, 2]);
    await turn();
    // Arrived while pass 2 ran, so pass 2 did not cover it: it gets pass 3.
    expect(started).toHaveLength(3);
    started[2]!.finish(0);
    await expect(alsoDuringSecond).resolves.toBe(3);
  });

  it('runs the next pass after a failed one, and a caller after everything settled starts afresh', async () => {
    const { started, pass } = controlledPasses();
    const shared = new SharedPass(pass);
    const first = shared.run();
    const waiting = shared.run();
    started[0]!.fail(new Error('ledger unreachable'));
    await expect(first).rejects.toThrow('ledger unreachable');
    await turn();
    started[1]!.finish(0);
    await expect(waiting).resolves.toBe(2);
    const later = shared.run();
    expect(started).toHaveLength(3);
    started[2]!.finish(0);
    await expect(later).resolves.toBe(3);
  });
});
