/** The ID type naming a profile itself in a suppression or unsubscribe. */
export const PROFILE_ID_TYPE = '$tp_uid';

/** How a suppression or unsubscribe was made. */
export type ConsentSource = 'api' | 'console' | 'event';

/**
 * One entry of the user's say (SPEC §5): with `channelId` an unsubscribe from that channel,
 * without it a project-wide suppression. It names one ID value; every profile holding that
 * value (or, for `$tp_uid`, the profile itself) gets no message.
 */
export interface ConsentEntry {
  readonly id: string;
  readonly projectId: number;
  readonly channelId: string | null;
  readonly idType: string;
  readonly value: string;
  readonly reason: string | null;
  readonly source: ConsentSource;
  readonly createdBy: string | null;
  readonly createdAt: number;
}

/** Why the send gate left a member out. */
export type GateSkip = 'suppressed' | 'unsubscribed' | 'frequency_capped' | 'quiet_hours';
