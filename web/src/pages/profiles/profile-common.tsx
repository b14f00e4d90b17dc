import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { IdTypeSettings } from '../../api/types.ts';
import { useProject } from '../../project-context.tsx';
import { CopyButton } from '../../ui/copy-button.tsx';
import { Badge, type Tone } from '../../ui/display.tsx';

// What the verify view, event management and the profile explorer share: paths, JSON display and
// the project's ID types.

export const profilesPath = (projectId: number) => `/projects/${projectId}/profiles`;
export const profilePath = (projectId: number, tpUid: string) =>
  `${profilesPath(projectId)}/${encodeURIComponent(tpUid)}`;
export const eventsPath = (projectId: number) => `${profilesPath(projectId)}/events`;
/** The bulk erasure form (a tab of the Profiles area). */
export const erasurePath = (projectId: number) => `${profilesPath(projectId)}/erase`;

/** The JSON type of a value as event management names it. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const typeTone: Record<string, Tone> = {
  string: 'blue',
  number: 'green',
  boolean: 'amber',
  object: 'neutral',
  array: 'neutral',
  null: 'neutral',
};

export function TypeBadge({ type }: { type: string }) {
  return <Badge tone={typeTone[type] ?? 'neutral'}>{type}</Badge>;
}

/** Pretty-printed JSON on the dark code panel, with a copy button. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <div className="code-panel json-panel">
      <div className="code-head">
        <span className="code-lang">json</span>
        <CopyButton value={text} label={label} withText />
      </div>
      <pre className="code-block" tabIndex={0} aria-label={label}>
        <code>{text}</code>
      </pre>
    </div>
  );
}

/**
 * One property value, by its JSON type: text as text, numbers and booleans in mono, short lists of
 * scalars as chips, anything nested as compact JSON.
 */
export function JsonValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="json-null">null</span>;
  if (typeof value === 'string')
    return value === '' ? (
      <span className="json-null">""</span>
    ) : (
      <span className="json-string">{value}</span>
    );
  if (typeof value === 'number' || typeof value === 'boolean')
    return <span className={`json-${typeof value}`}>{String(value)}</span>;
  if (Array.isArray(value) && value.length <= 12 && value.every((v) => v === null || typeof v !== 'object'))
    return (
      <span className="badge-list">
        {value.map((v, i) => (
          <span className="platform-chip mono" key={i}>
            {typeof v === 'string' ? v : String(v)}
          </span>
        ))}
      </span>
    );
  return <code className="json-inline">{JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ')}</code>;
}

/** The project's ID types (built-in and declared), for pickers and badges. */
export function useIdTypes(): { settings: IdTypeSettings | null; error: unknown; reload: () => void } {
  const { projectId } = useProject();
  const [settings, setSettings] = useState<IdTypeSettings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    api.getIdTypes({ projectId }).then(
      (s) => {
        if (!current) return;
        setSettings(s);
        setError(null);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, tick]);
  return { settings, error, reload: () => setTick((n) => n + 1) };
}

/** Identity types that never merge two profiles holding different values (SPEC §2.2). */
export function uniqueTypesOf(settings: IdTypeSettings | null): Set<string> {
  return new Set([
    'user_id',
    'account_id',
    ...(settings?.id_types.filter((d) => d.unique).map((d) => d.name) ?? []),
  ]);
}
