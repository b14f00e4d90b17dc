// The editor's steps and what decides where a field lives: pure, so test/web checks it.

export const steps = ['audience', 'channel', 'content', 'schedule', 'review'] as const;
export type Step = (typeof steps)[number];

/** Which step shows the field an issue path (a JSON pointer into the campaign) names. */
export function stepOf(path: string): Step {
  if (path.startsWith('/channel_id')) return 'channel';
  if (path.startsWith('/template_values') || path.startsWith('/variables')) return 'content';
  if (
    path.startsWith('/trigger') ||
    path.startsWith('/conversion') ||
    path.startsWith('/frequency_cap') ||
    path.startsWith('/quiet_hours')
  )
    return 'schedule';
  return 'audience';
}

/** A profile property → a variable name it can be written as in `${…}` (letters, digits, `_`). */
export function variableNameOf(property: string): string {
  const name = property.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}
