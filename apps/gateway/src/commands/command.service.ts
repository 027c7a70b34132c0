// The publisher side of the gateway: validate a body with the shared rules, then hand it to the
// ledger over NATS request/reply as the caller's agency. The gateway never writes the ledger.
import { Inject, Injectable } from '@nestjs/common';
import { CaravanError, subjects, type CommandAccepted, type CommandBodies, type CommandName } from '@caravan/contracts';
import { requestCommand } from '@caravan/messaging';
import { validateCommand, type ValidationResult } from '@caravan/validation';
import type { CallerIdentity } from '../auth/index.js';
import { DirectoryCache } from '../directory/directory.cache.js';
import { GatewayContext } from '../gateway.context.js';
import { valueOrThrow } from '../http/validation.js';

@Injectable()
export class CommandService {
  private nextTurn: Promise<void> | undefined;

  constructor(
    @Inject(GatewayContext) private readonly ctx: GatewayContext,
    @Inject(DirectoryCache) private readonly directory: DirectoryCache,
  ) {}

  /** Validates `body` as command `name` and sends it; the ledger's refusal becomes a CaravanError. */
  async send<N extends CommandName>(caller: CallerIdentity, name: N, body: unknown): Promise<CommandAccepted> {
    const command: CommandBodies[N] = valueOrThrow(await this.validate(name, body));
    await this.sendingTurn();
    const reply = await requestCommand(
      this.ctx.nc,
      subjects(this.ctx.config.topology).command(caller.agency, name),
      command,
      {
        timeoutMs: this.ctx.tuning.commandTimeoutMs,
      },
    );
    if (!reply.ok) throw new CaravanError(reply.error.code, reply.error.message, reply.error.fields);
    return {
      eventId: reply.eventId,
      position: reply.position,
      streamVersion: reply.streamVersion,
      ...(reply.replayed ? { replayed: true } : {}),
    };
  }

  // nats.js writes its buffer to the socket in a microtask after a publish, and every HTTP request
  // is handled in a callback of its own, so under load each command cost a socket write here and a
  // read in the NATS server. Commands wait instead for the check phase of the event loop, and those
  // read in one turn of the loop leave in one write.
  private sendingTurn(): Promise<void> {
    return (this.nextTurn ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.nextTurn = undefined;
        resolve();
      }),
    ));
  }

  // A refusal that may rest on the directory comes from a snapshot loaded after the request arrived,
  // so a crossing point registered a moment before, through any gateway, is known.
  private async validate<N extends CommandName>(name: N, body: unknown): Promise<ValidationResult<CommandBodies[N]>> {
    const { snapshots } = this.directory;
    const mark = snapshots.mark();
    let snapshot = await snapshots.current();
    const now = new Date();
    let result = validateCommand(name, body, { now, crossingPoints: snapshot.directory.crossingPoints });
    if (!result.ok && snapshot.load <= mark) {
      snapshot = await snapshots.since(mark);
      result = validateCommand(name, body, { now, crossingPoints: snapshot.directory.crossingPoints });
    }
    return result;
  }
}
