import type { FailureReason } from '../channels/message-outcome.ts';
import type { RenderedParams } from '../channels/message.ts';
import type { MessageState } from './plan-outcomes.ts';

export type { MessageState } from './plan-outcomes.ts';

/** A rendered message ready for the outbox: everything a request needs, no re-render. */
export interface NewMessage {
  readonly projectId: number;
  readonly channelId: string;
  readonly opsRequestId: string;
  readonly pushId: string;
  readonly tpUid: string | null;
  readonly workspaceId: string | null;
  readonly sendId: string | null;
  readonly campaignId: string | null;
  readonly taskId: string;
  readonly taskInstanceId: string;
  readonly params: RenderedParams;
  readonly customParams: Readonly<Record<string, string | null>>;
  /** Not before this instant (quiet hours); null or absent: due at once. */
  readonly dueAt?: number | null;
}

/** A message as stored: its content, state, schedule and last failure. */
export interface StoredMessage extends NewMessage {
  readonly id: number;
  readonly state: MessageState;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  /** `cancelled`: the campaign stopped; `erased`: the user was erased before it was sent. */
  readonly lastReason: FailureReason | 'fail_list' | 'cancelled' | 'erased' | null;
  readonly lastError: string | null;
  /** Why a `held` message waits: `unhealthy`, `disabled`, `deleted`, `not_authorized`. */
  readonly heldReason: string | null;
  readonly manualReplay: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
}

/** A message claimed by a dispatcher: the lease it holds until `leasedUntil`. */
export interface ClaimedMessage extends StoredMessage {
  readonly leaseToken: string;
  readonly leasedUntil: number;
}

/** One request's record for one message it carried (append-only). */
export interface MessageAttempt {
  readonly messageId: number;
  readonly projectId: number;
  readonly batchId: string;
  readonly attempt: number;
  readonly leaseToken: string;
  /** The dispatcher that held the lease (`host:pid:…`); null on rows older than migration 10. */
  readonly leasedBy: string | null;
  /** Until when the lease was valid (database clock); null on rows older than migration 10. */
  readonly leasedUntil: number | null;
  readonly startedAt: number;
  readonly latencyMs: number;
  readonly status: number | null;
  /** The request's result: `success`, `partial`, `failure`, `sent`. */
  readonly result: string;
  /** What it meant for this message: `delivered`, `sent`, `retry`, `failed`. */
  readonly outcome: string;
  readonly reason: string | null;
  readonly detail: string | null;
  /** At most 4 KiB of the answer. */
  readonly responseExcerpt: string | null;
  readonly manualReplay: boolean;
  /** Completed after the lease was lost (fenced out): recorded, changed nothing. */
  readonly late: boolean;
}

/** SPEC §4 "Unhealthy": the channel's delivery health. */
export interface ChannelHealth {
  readonly channelId: string;
  readonly state: 'healthy' | 'unhealthy';
  readonly reason: string | null;
  readonly since: number | null;
  readonly lastSuccessAt: number | null;
  readonly firstFailureAt: number | null;
  readonly lastFailureAt: number | null;
  readonly failedRequests: number;
}

/** One accepted send API request (SPEC §4.1). */
export interface SendRecord {
  readonly id: string;
  readonly projectId: number;
  readonly workspaceId: string;
  readonly channelId: string;
  readonly idempotencyKey: string | null;
  readonly createdBy: string;
  readonly queued: number;
  readonly skipped: readonly { readonly index: number; readonly reason: string }[];
  readonly createdAt: number;
}

export interface MessageFilter {
  readonly channelId?: string;
  readonly state?: MessageState;
  readonly opsRequestId?: string;
  readonly pushId?: string;
  readonly tpUid?: string;
  readonly sendId?: string;
  readonly campaignId?: string;
  readonly since?: number;
  readonly until?: number;
  /** Finished (delivered, failed, dead, sent) at or after this time: what replay-since selects. */
  readonly finishedSince?: number;
  /** Only messages of these workspaces (a member who is not a project admin). */
  readonly workspaceIds?: readonly string[];
}
