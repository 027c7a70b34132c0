// The two ways a command fails (SPEC §10): exit 1 when the operation failed, exit 2 when the
// command line itself was wrong. Either way the message is one line on stderr.

/** Exit codes of SPEC §10. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A failure to report in one line, with the exit code it maps to. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line was wrong: a missing argument, a bad option value, an unreadable input file. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** One line out of any thrown value, without a stack. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
