// Error codes of SPEC §6 and the reply shape of a command. Domain errors carry one of these codes;
// each transport maps them once (HTTP problem+json, NATS reply, JetStream ack/nak/term).

export const ERROR_CODES = [
  'invalid',
  'forbidden',
  'not-found',
  'version-conflict',
  'idempotency-conflict',
  'conflict',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One offending field: `items[2].quantity` and a sentence a person understands. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** The error half of a command reply (SPEC §6). */
export interface CommandErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly fields?: readonly FieldError[];
}

export interface CommandAccepted {
  readonly eventId: string;
  readonly position: number;
  readonly streamVersion: number;
  /** True when this answers a repeated commandId: no new event was recorded (HTTP 200, not 201). */
  readonly replayed?: boolean;
}

export type CommandReply =
  ({ readonly ok: true } & CommandAccepted) | { readonly ok: false; readonly error: CommandErrorBody };

/** HTTP status for each error code (SPEC §7). */
export const HTTP_STATUS_BY_CODE: { readonly [C in ErrorCode]: number } = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  'version-conflict': 412,
  'idempotency-conflict': 409,
  // Not in SPEC §6's list: a command that the aggregate's state forbids (amend after retraction,
  // report an id twice). SPEC §3.3 asks for 409 here, which no listed code gives.
  conflict: 409,
  unavailable: 503,
};

/** A failure the caller can act on; framework-free so the domain can throw it. */
export class CaravanError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: readonly FieldError[],
  ) {
    super(message);
    this.name = 'CaravanError';
  }

  toBody(): CommandErrorBody {
    return this.fields
      ? { code: this.code, message: this.message, fields: this.fields }
      : { code: this.code, message: this.message };
  }
}
