/** A user property operation, from Segment traits or ThinkingData `user_*` events. */
export type PropertyOperation =
  | { readonly op: 'set'; readonly values: Readonly<Record<string, unknown>> }
  | { readonly op: 'set_once'; readonly values: Readonly<Record<string, unknown>> }
  | { readonly op: 'add'; readonly values: Readonly<Record<string, unknown>> }
  | { readonly op: 'append'; readonly values: Readonly<Record<string, unknown>> }
  | { readonly op: 'uniq_append'; readonly values: Readonly<Record<string, unknown>> }
  | { readonly op: 'unset'; readonly keys: readonly string[] }
  | { readonly op: 'delete' };

/** How a property got its value, for the merge rules of SPEC §2.2. */
export interface PropertyMeta {
  readonly op: 'set' | 'set_once' | 'add' | 'list';
  /** Event time (epoch ms) of the operation that last decided the value. */
  readonly t: number;
}

export interface ProfileState {
  readonly properties: Readonly<Record<string, unknown>>;
  readonly meta: Readonly<Record<string, PropertyMeta>>;
}

export const emptyState: ProfileState = { properties: {}, meta: {} };

/** An identity type: built-ins plus the project's declared ones; unique types never merge apart. */
export interface IdTypeSetting {
  readonly name: string;
  readonly unique: boolean;
}

export interface IdentitySettings {
  /** ThinkingData `#account_id` is the same identity as Segment `userId` (default on). */
  readonly accountIdIsUserId: boolean;
  readonly declared: readonly IdTypeSetting[];
}

/** Identity types that come from the wire rather than from user properties. */
export const builtinIdTypes = ['user_id', 'anonymous_id', 'account_id', 'distinct_id'] as const;
/** ID types read from user properties by default (SPEC §2.2). */
export const builtinPropertyIdTypes = ['phone', 'email', 'openid'] as const;

export function uniqueTypes(settings: IdentitySettings): Set<string> {
  return new Set(['user_id', 'account_id', ...settings.declared.filter((d) => d.unique).map((d) => d.name)]);
}

export interface Profile {
  readonly tpUid: string;
  readonly projectId: number;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly meta: Readonly<Record<string, PropertyMeta>>;
  readonly identities: readonly { readonly type: string; readonly value: string }[];
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastEventAt: number | null;
  readonly eventCount: number;
}
