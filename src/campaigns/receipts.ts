import type { ProjectScope } from '../access/scope.ts';
import type { ReceiptCandidate } from '../store/repositories/receipts-repository.ts';
import type { Repositories } from '../store/store.ts';

/**
 * Records the receipts and conversions among one applied window's events (SPEC §6, issue 21 item 1; decision
 * 130): an event whose `#ops_receipt_properties.ops_request_id` names a message of this project
 * counts once for that message's step named by the event (`ops_push_open`, say) — in the
 * profile applier's transaction, so exactly once whatever crashes. Any of the three ingest
 * formats; a receipt that arrives before its message is recorded as delivered counts the same;
 * one naming another project's message, or none, counts nowhere. An event that is a campaign's
 * conversion goal converts that campaign's messages to the event's profile sent within the
 * goal's days before it (step `$converted`, once per message; no receipt field needed).
 */
export async function recordReceipts(
  tx: Repositories,
  scope: ProjectScope,
  events: readonly {
    readonly id: number;
    readonly eventName: string | null;
    readonly opsRequestId: string | null;
    readonly eventTime: number;
  }[],
  ownerOf: (eventId: number) => string | undefined,
  nowMs: number,
): Promise<number> {
  const candidates: ReceiptCandidate[] = [];
  for (const e of events)
    if (e.opsRequestId !== null && e.opsRequestId !== '' && e.eventName)
      candidates.push({
        opsRequestId: e.opsRequestId,
        step: e.eventName,
        eventId: e.id,
        eventTime: e.eventTime,
      });
  const receipts = candidates.length === 0 ? 0 : await tx.receipts.record(scope, candidates, nowMs);
  const conversions: { eventId: number; eventName: string; tpUid: string; eventTime: number }[] = [];
  for (const e of events) {
    const tpUid = ownerOf(e.id);
    if (e.eventName && tpUid !== undefined)
      conversions.push({ eventId: e.id, eventName: e.eventName, tpUid, eventTime: e.eventTime });
  }
  return receipts + (await tx.receipts.recordConversions(scope, conversions, nowMs));
}
