import { type Caller, type ProjectAccess, auditContextOf } from '../access/caller.ts';
import type { PageRequest } from '../access/paging.ts';
import { TouchpointError } from '../errors.ts';
import type { EventDefinition, ProfileEvent } from '../store/repositories/profiles-repository.ts';
import type { Store } from '../store/store.ts';
import type { ProjectScope } from '../access/scope.ts';
import type { AuditLog } from '../access/audit-log.ts';
import { builtinIdTypes, type IdentitySettings, type Profile } from './model.ts';
import type { ProfileApplier } from './profile-applier.ts';
import {
  identityKey,
  type ProfileIdentity,
  type ProfileLookup,
  type ProfileSnapshot,
  type RecipientLookup,
} from './profile-lookup.ts';

const ID_TYPE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
/** Identities per lookup query (well under SQLite's expression depth and parameter limits). */
const LOOKUP_CHUNK = 500;

function invalid(path: string, message: string): TouchpointError {
  return new TouchpointError(
    'TP_ERR_VALIDATION',
    { issues: [{ in: 'body', path, rule: 'invalid', message }] },
    { message: `body${path} ${message}` },
  );
}

/** Profiles (SPEC §2.2): identity settings, the explorer, event management, rebuilds. */
export class ProfilesService implements ProfileLookup, RecipientLookup {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly applier: ProfileApplier;

  constructor(deps: { store: Store; audit: AuditLog; applier: ProfileApplier }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.applier = deps.applier;
  }

  identitySettings(access: ProjectAccess): Promise<IdentitySettings> {
    return this.#store.profiles.identitySettings(access.scope);
  }

  /** Replaces the declared ID types (and the account_id ≡ user_id switch). */
  async updateIdentitySettings(
    caller: Caller,
    access: ProjectAccess,
    input: { accountIdIsUserId?: boolean; idTypes?: readonly { name: string; unique: boolean }[] },
  ): Promise<IdentitySettings> {
    const seen = new Set<string>();
    for (const [i, t] of (input.idTypes ?? []).entries()) {
      if (!ID_TYPE_NAME.test(t.name))
        throw invalid(
          `/id_types/${i}/name`,
          'must be lower-case letters, digits and _ (starting with a letter)',
        );
      if ((builtinIdTypes as readonly string[]).includes(t.name) || t.name === 'tp_uid')
        throw new TouchpointError('TP_ERR_PROFILE_ID_TYPE_RESERVED', { name: t.name });
      if (seen.has(t.name)) throw invalid(`/id_types/${i}/name`, 'is listed twice');
      seen.add(t.name);
    }
    return this.#store.transaction(async (tx) => {
      const before = await tx.profiles.identitySettings(access.scope);
      if (input.accountIdIsUserId !== undefined)
        await tx.profiles.setAccountIdIsUserId(access.scope, input.accountIdIsUserId);
      if (input.idTypes) {
        for (const old of before.declared)
          if (!seen.has(old.name)) await tx.profiles.deleteIdType(access.scope, old.name);
        for (const t of input.idTypes) await tx.profiles.putIdType(access.scope, t.name, t.unique);
      }
      const after = await tx.profiles.identitySettings(access.scope);
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'id_types.updated',
          target: { type: 'project', id: String(access.scope.projectId), label: 'ID types' },
          details: { account_id_is_user_id: after.accountIdIsUserId, id_types: after.declared },
        },
        tx,
      );
      return after;
    });
  }

  async findByIdentity(
    scope: ProjectScope,
    idType: string,
    value: string,
  ): Promise<ProfileSnapshot | undefined> {
    // `tp_uid` names the profile itself (a merged-away one answers the profile it joined).
    const tpUid =
      idType === 'tp_uid'
        ? await this.#store.profiles.resolveTpUid(scope, value)
        : (await this.#store.profiles.findIdentities(scope, [{ type: idType, value }])).get(
            `${idType}:${value}`,
          );
    const profile = tpUid ? await this.#store.profiles.getProfile(scope, tpUid) : undefined;
    return (
      profile && { tpUid: profile.tpUid, identities: profile.identities, properties: profile.properties }
    );
  }

  async findByIdentities(
    scope: ProjectScope,
    identities: readonly ProfileIdentity[],
  ): Promise<Map<string, ProfileSnapshot>> {
    const found = new Map<string, ProfileSnapshot>();
    const snapshot = (p: Profile): ProfileSnapshot => ({
      tpUid: p.tpUid,
      identities: p.identities,
      properties: p.properties,
    });
    const all = [...new Map(identities.map((i) => [identityKey(i.type, i.value), i])).values()];
    // `tp_uid` names the profile itself: current profiles in one query per chunk, a merged-away
    // one through the profile it was merged into.
    const byTpUid = all.filter((i) => i.type === 'tp_uid').map((i) => i.value);
    for (let i = 0; i < byTpUid.length; i += LOOKUP_CHUNK) {
      const chunk = byTpUid.slice(i, i + LOOKUP_CHUNK);
      const current = new Map(
        (await this.#store.profiles.getProfiles(scope, chunk)).map((p) => [p.tpUid, p]),
      );
      for (const tpUid of chunk) {
        const survivor = current.has(tpUid) ? tpUid : await this.#store.profiles.resolveTpUid(scope, tpUid);
        const p =
          (survivor && current.get(survivor)) ??
          (survivor ? await this.#store.profiles.getProfile(scope, survivor) : undefined);
        if (p) found.set(identityKey('tp_uid', tpUid), snapshot(p));
      }
    }
    const unique = all.filter((i) => i.type !== 'tp_uid');
    for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
      const owners = await this.#store.profiles.findIdentities(scope, unique.slice(i, i + LOOKUP_CHUNK));
      const profiles = new Map(
        (await this.#store.profiles.getProfiles(scope, [...new Set(owners.values())])).map((p) => [
          p.tpUid,
          p,
        ]),
      );
      for (const [key, tpUid] of owners) {
        const p = profiles.get(tpUid);
        if (p) found.set(key, { tpUid: p.tpUid, identities: p.identities, properties: p.properties });
      }
    }
    return found;
  }

  async lookup(access: ProjectAccess, idType: string, value: string): Promise<Profile> {
    const found = await this.findByIdentity(access.scope, idType, value);
    if (!found) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'profile' });
    return this.get(access, found.tpUid);
  }

  /** A profile by tp_uid; a merged-away tp_uid answers the profile it was merged into. */
  async get(access: ProjectAccess, tpUid: string): Promise<Profile> {
    const current = await this.#store.profiles.resolveTpUid(access.scope, tpUid);
    const profile = current ? await this.#store.profiles.getProfile(access.scope, current) : undefined;
    if (!profile) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'profile' });
    return profile;
  }

  async events(access: ProjectAccess, tpUid: string, page: PageRequest): Promise<ProfileEvent[]> {
    const profile = await this.get(access, tpUid);
    return this.#store.profiles.profileEvents(access.scope, profile.tpUid, page);
  }

  list(access: ProjectAccess, page: PageRequest): Promise<Profile[]> {
    return this.#store.profiles.listProfiles(access.scope, page);
  }

  eventDefinitions(access: ProjectAccess): Promise<EventDefinition[]> {
    return this.#store.profiles.eventDefinitions(access.scope);
  }

  async declareMetaEvent(
    caller: Caller,
    access: ProjectAccess,
    name: string,
    description: string | null,
  ): Promise<void> {
    if (name.trim() === '' || name.length > 255) throw invalid('/name', 'must be 1–255 characters');
    await this.#store.transaction(async (tx) => {
      await tx.profiles.declareEvent(access.scope, name, description);
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        { action: 'event.declared', target: { type: 'event', id: name, label: name } },
        tx,
      );
    });
  }

  /** Rebuilds every profile of the project from its event log (an admin repair). */
  async rebuild(caller: Caller, access: ProjectAccess): Promise<number> {
    const applied = await this.applier.rebuild(access.scope.projectId);
    await this.#audit.record(access.scope, auditContextOf(caller), {
      action: 'profiles.rebuilt',
      target: { type: 'project', id: String(access.scope.projectId), label: 'profiles' },
      details: { events: applied },
    });
    return applied;
  }
}
