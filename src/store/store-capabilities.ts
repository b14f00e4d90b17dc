/**
 * What differs between the databases, as flags. Code outside `src/store/dialects/` reads these
 * instead of asking which database it is on.
 */
export interface StoreCapabilities {
  /** `FOR UPDATE SKIP LOCKED` exists, so several workers can claim rows concurrently. */
  readonly skipLocked: boolean;
  /** One writer at a time for the whole database (SQLite): batch writes, keep transactions short. */
  readonly singleWriter: boolean;
  /** LISTEN/NOTIFY is available for cross-process wake-ups; otherwise poll. */
  readonly listenNotify: boolean;
  /** Several processes on several machines may share this database. */
  readonly sharedAcrossMachines: boolean;
  /**
   * A whole list binds as one array parameter (`= ANY(?)`), so a lookup of any size is one
   * statement with one plan; otherwise lists go as `IN (?, ?, …)` in chunks.
   */
  readonly arrayParameters: boolean;
}
