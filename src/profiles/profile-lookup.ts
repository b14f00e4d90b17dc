import type { ProjectScope } from '../access/scope.ts';

/** One identity of a profile: a built-in or declared ID type and its value. */
export interface ProfileIdentity {
  readonly type: string;
  readonly value: string;
}

/** What sending needs of a user: its stable id, identities and current properties. */
export interface ProfileSnapshot {
  readonly tpUid: string;
  readonly identities: readonly ProfileIdentity[];
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * Finds a profile by any identity (SPEC §2.2), e.g. `('role_id', 'r-1001')`. Implemented by the
 * profiles module; channels use it for test sends by ID, campaigns for sends.
 */
export interface ProfileLookup {
  findByIdentity(scope: ProjectScope, idType: string, value: string): Promise<ProfileSnapshot | undefined>;
}

/** Finds the profiles of many recipients at once (the send API, campaigns). */
export interface RecipientLookup {
  /**
   * Many at once, with a few queries per 500 identities: the profile of each `type:value` key
   * found (keys of unknown identities are absent).
   */
  findByIdentities(
    scope: ProjectScope,
    identities: readonly ProfileIdentity[],
  ): Promise<Map<string, ProfileSnapshot>>;
}

/** The key of an identity in {@link ProfileLookup.findByIdentities}'s answer. */
export const identityKey = (type: string, value: string): string => `${type}:${value}`;
