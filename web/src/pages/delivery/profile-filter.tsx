import { useId } from 'react';
import './send.css';
import type { MessageQuery } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useIdTypes } from '../channels/channel-common.tsx';

// The message log's profile filter (issue 17 item 1): a profile named by any ID type the project
// has (user_id, a declared one such as role_id, …) or by its tp_uid. The server resolves it
// through the profile lookup; an identity nobody holds finds no messages.

export interface ProfileFilter {
  readonly idType: string;
  readonly value: string;
}

/** The filter as the address holds it: `profile` (tp_uid) or `id_type` + `id_value`. */
export function profileFilterOf(query: MessageQuery): ProfileFilter {
  if (query.id_type && query.id_value) return { idType: query.id_type, value: query.id_value };
  if (query.profile) return { idType: 'tp_uid', value: query.profile };
  return { idType: 'user_id', value: '' };
}

/** The query parameters of a filter (none when no value is typed). */
export function profileQueryOf(filter: ProfileFilter): MessageQuery {
  const value = filter.value.trim();
  if (!value) return {};
  return filter.idType === 'tp_uid' ? { profile: value } : { id_type: filter.idType, id_value: value };
}

/** ID type and value side by side under one label. */
export function ProfileFilterField({
  filter,
  onChange,
}: {
  filter: ProfileFilter;
  onChange: (filter: ProfileFilter) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const idTypes = useIdTypes();
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {t('delivery.profile')}
      </label>
      <div className="profile-filter">
        <select
          className="select"
          aria-label={t('delivery.profileIdType')}
          value={filter.idType}
          onChange={(e) => onChange({ ...filter, idType: e.target.value })}
        >
          {[...new Set(['user_id', 'tp_uid', ...idTypes, filter.idType])].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <input
          id={id}
          className="input mono"
          name="profile_value"
          autoComplete="off"
          aria-label={t('delivery.profileValue')}
          value={filter.value}
          placeholder={filter.idType === 'tp_uid' ? 'tp_…' : 'u-1001'}
          onChange={(e) => onChange({ ...filter, value: e.target.value })}
        />
      </div>
    </div>
  );
}
