// A progress line for long replays, redrawn in place on a terminal and silent elsewhere (a pipe or
// a log file gets no carriage-return noise).
import type { TextSink } from '../cli-io.js';

/** The text of one progress line; pure, so it can be tested. */
export function progressLine(done: number, total: number | undefined, elapsedMs: number, width = 30): string {
  const rate = elapsedMs > 0 ? Math.round((done * 1000) / elapsedMs) : 0;
  if (total === undefined || total <= 0)
    return `${done.toLocaleString('en-US')} events  ${rate.toLocaleString('en-US')}/s`;
  const fraction = Math.min(1, done / total);
  const filled = Math.round(fraction * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const percent = (fraction * 100).toFixed(1).padStart(5);
  return `[${bar}] ${percent}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} events  ${rate.toLocaleString('en-US')}/s`;
}

/** Draws progressLine on a TTY at most every 100 ms; does nothing when `sink` is not a terminal. */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly sink: TextSink,
    private readonly total: number | undefined,
  ) {}

  update(done: number): void {
    if (!this.sink.isTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.sink.write(`\r${progressLine(done, this.total, now - this.started)}\x1b[K`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.sink.write('\r\x1b[K');
  }
}
