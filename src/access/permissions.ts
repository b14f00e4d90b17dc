/** The closed permission list of SPEC §1. */
export const permissions = [
  'project.manage',
  'member.manage',
  'token.manage',
  'source.manage',
  'source.secret.reveal',
  'reach.webhook.manage',
  'reach.webhook.use',
  'channel.authorize',
  'audience.manage',
  'campaign.edit',
  'campaign.operate',
  'campaign.approve',
  'delivery.replay',
  'audit.read',
] as const;

export type Permission = (typeof permissions)[number];

export function isPermission(value: string): value is Permission {
  return (permissions as readonly string[]).includes(value);
}
