import type { AttemptVerdict, FailureReason, MessageOutcome } from '../channels/message-outcome.ts';
import { nextAttemptAt } from './retry-schedule.ts';

/** The closed list of message states of SPEC §4 (storage, API, console and metrics). */
export const messageStates = ['queued', 'sending', 'delivered', 'failed', 'dead', 'sent', 'held'] as const;
export type MessageState = (typeof messageStates)[number];

/** Where one message goes after an attempt, decided before anything is written. */
export interface MessageUpdate {
  readonly state: Exclude<MessageState, 'sending' | 'held'>;
  /** The attempt count after this attempt. */
  readonly attempts: number;
  /** When `queued`: the earliest start of the next attempt. */
  readonly nextAttemptAt: number | null;
  readonly reason: FailureReason | 'fail_list' | null;
  /** One line for the message row: the attempt's detail or the receiver's message. */
  readonly error: string | null;
}

function failure(outcome: Extract<MessageOutcome, { state: 'failed' | 'retry' }>) {
  return outcome.cause === 'attempt'
    ? { reason: outcome.reason, error: outcome.detail }
    : { reason: 'fail_list' as const, error: outcome.receiverMessage ?? 'named in fail_list' };
}

/**
 * Applies one attempt's verdict to the messages it carried, in request order (SPEC §4):
 * `delivered` and `sent` are final; `failed` is final (a 4xx, a `fail_list` item without
 * `retry_failed_items`, an invalid target); `retry` is re-queued on the schedule (with
 * `Retry-After` as a floor) or `dead` when the schedule is exhausted. Pure: the clock and the
 * randomness come in.
 *
 * @example
 *   planOutcomes([{ attempts: 0 }], verdict, { nowMs, schedule: [5000] })[0]; // { state: 'queued', attempts: 1, … }
 */
export function planOutcomes(
  messages: readonly { readonly attempts: number }[],
  verdict: AttemptVerdict,
  options: { readonly nowMs: number; readonly schedule: readonly number[]; readonly random?: () => number },
): MessageUpdate[] {
  if (verdict.outcomes.length !== messages.length)
    throw new RangeError(`${verdict.outcomes.length} outcomes for ${messages.length} messages`);
  return messages.map((message, i): MessageUpdate => {
    const outcome = verdict.outcomes[i] as MessageOutcome;
    const attempts = message.attempts + 1;
    switch (outcome.state) {
      case 'delivered':
      case 'sent':
        return { state: outcome.state, attempts, nextAttemptAt: null, reason: null, error: null };
      case 'failed':
        return { state: 'failed', attempts, nextAttemptAt: null, ...failure(outcome) };
      case 'retry': {
        const next = nextAttemptAt(attempts, options.nowMs, {
          schedule: options.schedule,
          ...(verdict.retryAfterMs !== undefined ? { retryAfterMs: verdict.retryAfterMs } : {}),
          ...(options.random ? { random: options.random } : {}),
        });
        return next === undefined
          ? { state: 'dead', attempts, nextAttemptAt: null, ...failure(outcome) }
          : { state: 'queued', attempts, nextAttemptAt: next, ...failure(outcome) };
      }
    }
  });
}
