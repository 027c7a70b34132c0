// Runs one command line and turns every outcome into an exit code and at most one line on stderr.
import { CommanderError } from 'commander';
import { CliError, EXIT, oneLine } from './cli-error.js';
import { createContext } from './cli-context.js';
import type { CliIo } from './cli-io.js';
import { buildProgram } from './program.js';

/** Exit code of a commander outcome: help and version are successes, anything else a usage error. */
export function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
  // `caravan help x` exits 0; bare `caravan` shows the help as an error (exit code 1 in commander).
  return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}

/** Runs `caravan <args>`; resolves to the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  let program;
  try {
    program = buildProgram(createContext(io));
    await program.parseAsync([...args], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // Commander has already written its own one-line message (or the help) by now.
    if (error instanceof CommanderError) return commanderExitCode(error);
    if (error instanceof CliError) {
      io.stderr.write(`caravan: ${oneLine(error)}\n`);
      return error.exitCode;
    }
    io.stderr.write(`caravan: ${oneLine(error)}\n`);
    return EXIT.failed;
  }
}
