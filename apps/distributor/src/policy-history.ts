// Every version of each originator's sharing policy, loaded from the ledger once per agency. The
// distributor works in position order, so a cached history can only lack versions recorded after it
// was loaded; seeing such a `policy.set` go by invalidates the agency's entry. That holds only while
// this instance decides every event itself: whenever another instance may have decided some (a new
// term, a checkpoint found moved), the whole cache is dropped (clear()).
import type { SharingRule } from '@caravan/contracts';
import type { SharingPolicy } from '@caravan/domain';
import type { LedgerReader } from '@caravan/ledger-store';

/** One recorded version of an agency's policy and the ledger position where it took effect. */
export interface PolicyVersion extends SharingPolicy {
  readonly position: number;
}

/** An agency's policy versions in order, with the lookups evaluateSharing needs. */
export class AgencyPolicies {
  constructor(private readonly versions: readonly PolicyVersion[]) {}

  /** The version in force at `position`: the latest one recorded at or before it (SPEC §5). */
  at(position: number): SharingPolicy | undefined {
    let found: PolicyVersion | undefined;
    for (const version of this.versions) {
      if (version.position > position) break;
      found = version;
    }
    return found && { version: found.version, rules: found.rules };
  }

  /** The rules of one version, for follow-ups that keep the original's version. */
  rulesOf(version: number): readonly SharingRule[] | undefined {
    return this.versions.find((v) => v.version === version)?.rules;
  }
}

/** Loads and caches each agency's policy history. */
export class PolicyHistory {
  private readonly cache = new Map<string, Promise<AgencyPolicies>>();

  constructor(private readonly ledger: LedgerReader) {}

  /** The agency's policy versions as far as the ledger holds them. */
  of(agency: string): Promise<AgencyPolicies> {
    let entry = this.cache.get(agency);
    if (!entry) {
      entry = this.load(agency);
      // A failed load must not stick.
      entry.catch(() => this.cache.delete(agency));
      this.cache.set(agency, entry);
    }
    return entry;
  }

  /** Forgets every agency's history: events this instance did not see may have changed them. */
  clear(): void {
    this.cache.clear();
  }

  /** Forgets an agency's history (a new version was recorded). */
  invalidate(agency: string): void {
    this.cache.delete(agency);
  }

  private async load(agency: string): Promise<AgencyPolicies> {
    const versions: PolicyVersion[] = [];
    for await (const event of this.ledger.readStream(`policy-${agency}`)) {
      if (event.type !== 'policy.set') continue;
      versions.push({ version: event.streamVersion, position: event.position, rules: event.payload.rules });
    }
    return new AgencyPolicies(versions);
  }
}
