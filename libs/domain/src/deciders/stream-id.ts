import { streamIds, type AgencyCode, type CommandBodies, type CommandName } from '@caravan/contracts';

/**
 * The stream a command writes to (SPEC §3): `seizure-<id>`, `alert-<id>` or `policy-<agency>`. The
 * policy stream is the caller's own, so it needs the agency of the credential, never the body.
 */
export function streamIdForCommand<N extends CommandName>(name: N, body: CommandBodies[N], agency: AgencyCode): string {
  // TypeScript cannot narrow `body` through the generic `name`, so the pair is re-tagged once here.
  const command = { name, body } as { [K in CommandName]: { name: K; body: CommandBodies[K] } }[CommandName];
  switch (command.name) {
    case 'seizure.report':
    case 'seizure.amend':
    case 'seizure.retract':
      return streamIds.seizure(command.body.seizureId);
    case 'alert.issue':
    case 'alert.update':
    case 'alert.withdraw':
      return streamIds.alert(command.body.alertId);
    case 'policy.set':
      return streamIds.policy(agency);
    default: {
      const _never: never = command;
      return _never;
    }
  }
}
