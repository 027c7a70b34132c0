// The hub's NATS login (user `caravan-hub` in deploy/nats). The configuration object travels far
// (into every app, into `caravan up`'s handle, into error reports), so the password is held where
// neither JSON.stringify nor util.inspect nor a spread can reach it: only `.pass` reads it.
import { inspect } from 'node:util';

/** A NATS user and password; the password never appears when the object is printed or serialised. */
export class NatsCredentials {
  readonly #pass: string;

  constructor(
    readonly user: string,
    pass: string,
  ) {
    this.#pass = pass;
  }

  /** The password, for the NATS client only. */
  get pass(): string {
    return this.#pass;
  }

  toJSON(): { user: string; pass: string } {
    return { user: this.user, pass: '***' };
  }

  [inspect.custom](): string {
    return `NatsCredentials { user: ${JSON.stringify(this.user)}, pass: *** }`;
  }
}

/** What a refused NATS login tells the operator to set. */
export const NATS_LOGIN_HINT = 'set CARAVAN_NATS_USER and CARAVAN_NATS_PASSWORD or CARAVAN_NATS_PASSWORD_FILE';
