import type { Role } from '@caravan/contracts';

/** Who is calling: always taken from the API key, never from the request (SPEC §2). */
export interface CallerIdentity {
  readonly agency: string;
  readonly roles: readonly Role[];
  readonly keyId: string;
}
