// Path parameter schemas and small JSON helpers every route file shares.

const idString = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** `/projects/:projectId` — numeric project ids. */
export const projectParams = {
  type: 'object',
  required: ['projectId'],
  properties: { projectId: { type: 'string', pattern: '^[0-9]{1,15}$' } },
} as const;

/** `/projects/:projectId/…/:name…` — the project id plus resource ids. */
export function pathParams<const N extends string>(...names: N[]) {
  return {
    type: 'object',
    required: ['projectId', ...names],
    properties: {
      projectId: projectParams.properties.projectId,
      ...(Object.fromEntries(names.map((n) => [n, idString])) as Record<N, typeof idString>),
    },
  } as const;
}

/** Epoch milliseconds as ISO-8601 text (null stays null). */
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The response of a route that answers 204 with no body. */
export const noContent = { 204: { type: 'null', description: 'Done' } } as const;
