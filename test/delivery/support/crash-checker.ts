// The checker of the delivery crash workload (RELIABILITY §4.3, the Jepsen set workload): pure
// functions over the generator's history, the receiver's log, the nemesis' kills and the attempt
// history, so the checker itself can be fed a doctored log and shown to fail (DUR-20).

/** One send API request of the generator and how it ended (Jepsen: ok, fail, info). */
export interface SendOp {
  readonly k: number;
  readonly users: readonly string[];
  /** ok: 202 with every recipient queued; fail: definitely not enqueued; info: indeterminate. */
  readonly outcome: 'ok' | 'fail' | 'info';
  readonly detail: string;
  readonly at: number;
}

/** One request the receiver got: when, what it answered, which messages it carried. */
export interface Reception {
  readonly at: number;
  /** The answer: 200 accepts the messages; 0 while (or if never) answered. */
  status: number;
  readonly items: readonly { readonly opsRequestId: string; readonly element: string }[];
}

/** A `kill -9` of the nemesis. */
export interface Kill {
  readonly at: number;
  readonly name: string;
  readonly pid: number;
  /** The process ran the dispatcher (role all or worker). */
  readonly dispatches: boolean;
}

/** The element a message stands for: the generator's send number and the recipient. */
export const element = (k: number, user: string): string => `${k}/${user}`;

export interface Duplicate {
  readonly opsRequestId: string;
  readonly element: string;
  /** Times the receiver accepted it (answered 200). */
  readonly times: number;
}

export interface SetVerdict {
  readonly sends: { readonly ok: number; readonly fail: number; readonly info: number };
  /** Elements acknowledged (in a 202) — every one must reach the receiver. */
  readonly acked: number;
  /** Distinct elements the receiver accepted. */
  readonly delivered: number;
  /** Acknowledged but never accepted by the receiver. Must be empty. */
  readonly lost: readonly string[];
  /** Received but never part of any send request. Must be empty. */
  readonly unexpected: readonly string[];
  /** Part of a send that definitely failed, yet received. Must be empty. */
  readonly revived: readonly string[];
  /** One element under two ops_request_ids (enqueued twice). Must be empty. */
  readonly doubled: readonly string[];
  /** Indeterminate sends whose messages arrived (Jepsen: recovered). */
  readonly recovered: readonly string[];
  /** Accepted more than once (at-least-once): each needs an explanation. */
  readonly duplicates: readonly Duplicate[];
}

/** The set checker: lost = ok − delivered, unexpected = received − invoked, duplicates by id. */
export function checkSet(history: readonly SendOp[], receptions: readonly Reception[]): SetVerdict {
  const outcomeOf = new Map<string, SendOp['outcome']>();
  for (const op of history) for (const u of op.users) outcomeOf.set(element(op.k, u), op.outcome);
  const accepted = new Map<string, { element: string; times: number }>();
  const idsOf = new Map<string, Set<string>>();
  const seen = new Set<string>();
  for (const r of receptions)
    for (const item of r.items) {
      seen.add(item.element);
      if (!idsOf.has(item.element)) idsOf.set(item.element, new Set());
      idsOf.get(item.element)?.add(item.opsRequestId);
      if (r.status !== 200) continue;
      const entry = accepted.get(item.opsRequestId) ?? { element: item.element, times: 0 };
      entry.times += 1;
      accepted.set(item.opsRequestId, entry);
    }
  const deliveredElements = new Set([...accepted.values()].map((a) => a.element));
  const count = (o: SendOp['outcome']) => history.filter((op) => op.outcome === o).length;
  const ackedElements = [...outcomeOf].filter(([, o]) => o === 'ok').map(([e]) => e);
  return {
    sends: { ok: count('ok'), fail: count('fail'), info: count('info') },
    acked: ackedElements.length,
    delivered: deliveredElements.size,
    lost: ackedElements.filter((e) => !deliveredElements.has(e)).sort(),
    unexpected: [...seen].filter((e) => !outcomeOf.has(e)).sort(),
    revived: [...seen].filter((e) => outcomeOf.get(e) === 'fail').sort(),
    doubled: [...idsOf].filter(([, ids]) => ids.size > 1).map(([e]) => e),
    recovered: [...deliveredElements].filter((e) => outcomeOf.get(e) === 'info').sort(),
    duplicates: [...accepted]
      .filter(([, a]) => a.times > 1)
      .map(([opsRequestId, a]) => ({ opsRequestId, element: a.element, times: a.times })),
  };
}

/** An attempt as the messages API shows it (GET …/messages/{id}). */
export interface ApiAttempt {
  readonly attempt: number;
  readonly batch_id: string;
  readonly at: string;
  readonly latency_ms: number;
  readonly status: number | null;
  readonly outcome: string;
  readonly late: boolean;
}

export interface DuplicateExplanation extends Duplicate {
  readonly attempts: readonly ApiAttempt[];
  /** Each acceptance by the receiver and what explains it. */
  readonly receptions: readonly {
    readonly at: number;
    /** The recorded attempt whose request this was, if any. */
    readonly attempt: number | null;
    /** No attempt recorded: the kill that cut the request off before its completion. */
    readonly kill: { readonly name: string; readonly pid: number; readonly afterMs: number } | null;
  }[];
  readonly explained: boolean;
}

/**
 * Why a message was accepted more than once. A request with a recorded attempt is explained by
 * that attempt (a late one, fenced, when the lease ran out under it); a request without one was
 * cut off by a `kill -9` of a dispatching process after the receiver got it and before the
 * completion committed — the batch in flight at a kill, re-sent after its lease (DUR-05/06).
 */
export function explainDuplicate(
  duplicate: Duplicate,
  attempts: readonly ApiAttempt[],
  receptions: readonly Reception[],
  kills: readonly Kill[],
  options: { killWindowMs: number; slackMs?: number },
): DuplicateExplanation {
  const slack = options.slackMs ?? 50;
  const times = receptions
    .filter((r) => r.status === 200 && r.items.some((i) => i.opsRequestId === duplicate.opsRequestId))
    .map((r) => r.at);
  const used = new Set<number>();
  const usedKills = new Set<Kill>();
  const explainedReceptions = times.map((at) => {
    // Whatever the attempt made of the answer: a 200 it recorded as a timeout or a network
    // error is a duplicate at-least-once allows too (the answer was lost, WH-14).
    const index = attempts.findIndex((a, i) => {
      const start = Date.parse(a.at);
      return !used.has(i) && start - slack <= at && at <= start + a.latency_ms + slack;
    });
    const attempt = index >= 0 ? attempts[index] : undefined;
    if (attempt) used.add(index);
    if (attempt) return { at, attempt: attempt.attempt, kill: null };
    // One kill cuts off one request of a message: a second unrecorded request needs its own.
    const kill = kills.find(
      (k) => k.dispatches && !usedKills.has(k) && k.at >= at - slack && k.at <= at + options.killWindowMs,
    );
    if (kill) usedKills.add(kill);
    return {
      at,
      attempt: null,
      kill: kill ? { name: kill.name, pid: kill.pid, afterMs: kill.at - at } : null,
    };
  });
  return {
    ...duplicate,
    attempts,
    receptions: explainedReceptions,
    explained: explainedReceptions.every((r) => r.attempt !== null || r.kill !== null),
  };
}

/** One row of message_attempts with its lease (migration 0010). */
export interface LeaseAttempt {
  readonly messageId: number;
  readonly leaseToken: string;
  readonly leasedBy: string | null;
  readonly leasedUntil: number | null;
  readonly startedAt: number;
  readonly latencyMs: number;
  readonly late: boolean;
}

export interface LeaseOverlap {
  readonly messageId: number;
  readonly a: LeaseAttempt;
  readonly b: LeaseAttempt;
}

/**
 * No two attempts of one message overlap in time under different leases while both leases were
 * valid (DUR-01): an attempt counts from its start until its request ended or its lease ran out,
 * whichever came first, and two such spans of one message must not intersect.
 */
export function leaseOverlaps(rows: readonly LeaseAttempt[]): LeaseOverlap[] {
  const byMessage = new Map<number, LeaseAttempt[]>();
  for (const row of rows) {
    const list = byMessage.get(row.messageId) ?? [];
    list.push(row);
    byMessage.set(row.messageId, list);
  }
  const end = (a: LeaseAttempt) => Math.min(a.startedAt + a.latencyMs, a.leasedUntil ?? Infinity);
  const overlaps: LeaseOverlap[] = [];
  for (const [messageId, list] of byMessage) {
    list.sort((x, y) => x.startedAt - y.startedAt);
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i] as LeaseAttempt;
        const b = list[j] as LeaseAttempt;
        if (a.leaseToken === b.leaseToken) continue;
        if (Math.max(a.startedAt, b.startedAt) < Math.min(end(a), end(b))) overlaps.push({ messageId, a, b });
      }
  }
  return overlaps;
}

/** What failed, as lines; empty when the run is clean. */
export function violations(
  verdict: SetVerdict,
  explanations: readonly DuplicateExplanation[] = [],
  overlaps: readonly LeaseOverlap[] = [],
): string[] {
  const lines: string[] = [];
  const list = (name: string, items: readonly string[]) => {
    if (items.length > 0)
      lines.push(
        `${name}: ${items.length} — ${items.slice(0, 20).join(', ')}${items.length > 20 ? ', …' : ''}`,
      );
  };
  list('LOST (acknowledged, never received)', verdict.lost);
  list('UNEXPECTED (received, never sent)', verdict.unexpected);
  list('REVIVED (send failed, yet received)', verdict.revived);
  list('DOUBLED (one element, two ops_request_ids)', verdict.doubled);
  list(
    'UNEXPLAINED DUPLICATES',
    explanations.filter((e) => !e.explained).map((e) => e.opsRequestId),
  );
  list(
    'OVERLAPPING LEASES',
    overlaps.map((o) => `message ${o.messageId}: ${o.a.leasedBy} / ${o.b.leasedBy}`),
  );
  return lines;
}
