// GET /v1/audit/verify reads the whole ledger (seconds per million events). Callers asking at once
// share passes instead of each starting one: a caller that arrives while a pass runs waits for the
// next pass, which starts when the running one ends and serves everyone who came meanwhile. So every
// answer covers at least the ledger as it stood when its request arrived, and however many
// auditors ask, at most one pass runs and one waits.

/** Runs `pass` for callers, at most one at a time, the callers who came during it sharing the next. */
export class SharedPass<T> {
  private running?: Promise<T>;
  private next?: Promise<T>;

  constructor(private readonly pass: () => Promise<T>) {}

  run(): Promise<T> {
    // A pass already waiting begins after this call, even in the moment between the running pass
    // settling and the waiting one starting.
    if (this.next) return this.next;
    if (!this.running) return this.start();
    return (this.next = this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.start();
      }));
  }

  private start(): Promise<T> {
    const pass = this.pass();
    this.running = pass;
    const settle = () => {
      if (this.running === pass) this.running = undefined;
    };
    pass.then(settle, settle);
    return pass;
  }
}
