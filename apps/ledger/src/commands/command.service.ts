// The one place that handles a command (STYLE.md): check the caller and the body, load the stream,
// fold evolve, decide, and append with the expected version and the commandId for idempotency.
import { Inject, Injectable } from '@nestjs/common';
import {
  CaravanError,
  isCommandName,
  type CommandAccepted,
  type CommandBodies,
  type CommandName,
  type DomainEvent,
} from '@caravan/contracts';
import type { DirectorySnapshot } from '@caravan/directory';
import { decideCommand, streamIdForCommand, validatePolicy, type CaravanCommand } from '@caravan/domain';
import { commandBodyHash, type CommandIdentity } from '@caravan/ledger-store';
import { validateCommand } from '@caravan/validation';
import { LedgerContext } from '../ledger.context.js';

// Commands that create their aggregate: the stream must not exist yet.
const CREATES = new Set<CommandName>(['seizure.report', 'alert.issue']);

// A command without expectedVersion (retract, withdraw, policy.set) is decided on the version it
// loaded; when another command lands in between, it is decided again on the new state.
const ATTEMPTS_WITHOUT_EXPECTED_VERSION = 3;

@Injectable()
export class CommandService {
  constructor(@Inject(LedgerContext) private readonly ctx: LedgerContext) {}

  /**
   * Executes command `command` sent by `agency` (from the subject, never the body). Refusals are
   * CaravanErrors: `invalid` (unknown command, bad body, bad policy), `forbidden` (an agency not in
   * the directory, or not the originator), `not-found`, `conflict`, `version-conflict`,
   * `idempotency-conflict`.
   */
  async execute(agency: string, command: string, body: unknown): Promise<CommandAccepted> {
    if (!isCommandName(command)) throw new CaravanError('invalid', `unknown command "${command.slice(0, 64)}"`);
    // Refusals rest on a directory snapshot loaded after this mark (see DirectoryCache).
    const mark = this.ctx.directory.mark();
    let snapshot = await this.ctx.directory.current();
    if (!snapshot.agency(agency)) snapshot = await this.ctx.directory.since(mark);
    if (!snapshot.agency(agency)) {
      throw new CaravanError('forbidden', `agency ${agency.slice(0, 64)} is not in the directory`);
    }
    const now = new Date();
    const value = await this.validate(command, body, now, snapshot, mark);
    const identity: CommandIdentity = { commandId: value.commandId, name: command, bodyHash: commandBodyHash(value) };
    const created = CREATES.has(command) ? await this.appendCreation(command, value, agency, identity, now) : undefined;
    const result: CommandAccepted = created ?? (await this.decideOnHistory(command, value, agency, identity, now));
    if (!result.replayed) {
      this.ctx.logger.log({
        msg: 'command recorded',
        command,
        agency,
        eventId: result.eventId,
        position: result.position,
        streamVersion: result.streamVersion,
      });
    }
    return {
      eventId: result.eventId,
      position: result.position,
      streamVersion: result.streamVersion,
      ...(result.replayed ? { replayed: true } : {}),
    };
  }

  private async validate<N extends CommandName>(
    name: N,
    body: unknown,
    now: Date,
    snapshot: DirectorySnapshot,
    mark: number,
  ): Promise<CommandBodies[N]> {
    let result = validateCommand(name, body, { now, crossingPoints: snapshot.directory.crossingPoints });
    if (!result.ok && snapshot.load <= mark) {
      const fresh = await this.ctx.directory.since(mark);
      result = validateCommand(name, body, { now, crossingPoints: fresh.directory.crossingPoints });
    }
    if (!result.ok) throw new CaravanError('invalid', 'the command is invalid; see fields', result.errors);
    if (name === 'policy.set') {
      const { rules } = result.value as CommandBodies['policy.set'];
      // Groups change; a policy is checked against the directory as it is now.
      const errors = validatePolicy(rules, (await this.ctx.directory.since(mark)).directory);
      if (errors.length > 0) throw new CaravanError('invalid', 'the policy is invalid; see fields', errors);
    }
    return result.value;
  }

  /**
   * A report or an issue, appended without reading anything first: on an empty stream the decision
   * needs no history, and the writer's batch plan checks under its lock that the commandId is new
   * (else it replays the first answer or refuses with idempotency-conflict, as `recordedAnswer`
   * would) and that the stream does not exist yet. When the stream exists, or the decider refuses,
   * the answer is left to `decideOnHistory` (undefined), which says exactly why.
   */
  private async appendCreation(
    name: CommandName,
    value: CommandBodies[CommandName],
    agency: string,
    identity: CommandIdentity,
    now: Date,
  ): Promise<CommandAccepted | undefined> {
    const command = { type: name, data: value, metadata: { agency, now } } as CaravanCommand;
    let events: readonly DomainEvent[];
    try {
      events = decideCommand(command, []);
    } catch {
      return undefined;
    }
    const streamId = streamIdForCommand(name, value, agency);
    try {
      return await this.ctx.writer.append({
        streamId,
        expectedVersion: 0,
        originator: agency,
        events,
        command: identity,
      });
    } catch (error) {
      if (error instanceof CaravanError && error.code === 'version-conflict') return undefined;
      return await this.firstAnswerOrThrow(identity, agency, error);
    }
  }

  /** Looks up an earlier answer to the commandId, loads the stream, decides and appends. */
  private async decideOnHistory(
    name: CommandName,
    value: CommandBodies[CommandName],
    agency: string,
    identity: CommandIdentity,
    now: Date,
  ): Promise<CommandAccepted> {
    const first = await this.recordedAnswer(identity, agency);
    if (first) return first;
    try {
      return await this.decideAndAppend(name, value, agency, identity, now);
    } catch (error) {
      return await this.firstAnswerOrThrow(identity, agency, error);
    }
  }

  /**
   * The same command may have been recorded between the lookup and the decision (two identical
   * requests at once): the decider then refuses it on the state the first one made. The first
   * answer is the right reply to the retry, as SPEC §6 promises; otherwise the refusal stands.
   */
  private async firstAnswerOrThrow(
    identity: CommandIdentity,
    agency: string,
    error: unknown,
  ): Promise<CommandAccepted> {
    if (error instanceof CaravanError) {
      const first = await this.recordedAnswer(identity, agency);
      if (first) return first;
    }
    throw error;
  }

  /** The first answer to this command, or an idempotency-conflict if its id was used otherwise. */
  private async recordedAnswer(identity: CommandIdentity, agency: string): Promise<CommandAccepted | undefined> {
    const first = await this.ctx.reader.findCommand(identity.commandId);
    if (!first) return undefined;
    if (first.agency !== agency || first.name !== identity.name || first.bodyHash !== identity.bodyHash) {
      throw new CaravanError(
        'idempotency-conflict',
        `command ${identity.commandId} was already used with a different body`,
      );
    }
    return { eventId: first.eventId, position: first.position, streamVersion: first.streamVersion, replayed: true };
  }

  private async decideAndAppend(
    name: CommandName,
    value: CommandBodies[CommandName],
    agency: string,
    identity: CommandIdentity,
    now: Date,
  ): Promise<CommandAccepted> {
    const streamId = streamIdForCommand(name, value, agency);
    const given = 'expectedVersion' in value ? value.expectedVersion : undefined;
    const command = { type: name, data: value, metadata: { agency, now } } as CaravanCommand;
    for (let attempt = 1; ; attempt++) {
      const stream = await this.ctx.reader.loadStream(streamId);
      // Refusals by the aggregate's state come first (not-found, forbidden, conflict), so a caller
      // that may not touch the stream learns nothing from a version mismatch.
      const events = decideCommand(command, stream.events);
      const expectedVersion = CREATES.has(name) ? 0 : (given ?? stream.version);
      try {
        return await this.ctx.writer.append({
          streamId,
          expectedVersion,
          originator: agency,
          events,
          command: identity,
        });
      } catch (error) {
        const retry =
          given === undefined &&
          !CREATES.has(name) &&
          attempt < ATTEMPTS_WITHOUT_EXPECTED_VERSION &&
          error instanceof CaravanError &&
          error.code === 'version-conflict';
        if (!retry) throw error;
      }
    }
  }
}
