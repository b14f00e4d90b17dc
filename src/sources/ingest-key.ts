/** What ingest needs to know about the data source behind an `app_key`. */
export interface IngestSource {
  readonly id: string;
  readonly projectId: number;
  /** The source's time zone, or its project's when the source has none (ThinkingData `#time`). */
  readonly timeZone: string;
  readonly platforms: readonly string[];
  /** Allowed browser origins (`web` platform), e.g. `https://shop.example.com`. */
  readonly origins: readonly string[];
  /** A `server` platform with `require_secret`: every request must carry the master secret. */
  readonly requireSecret: boolean;
  /** Bumped by every disable, enable, delete and rotation; re-checked inside the ingest commit. */
  readonly credentialsVersion: number;
  /** Events per second allowed for this source; null = the instance default. */
  readonly rateLimitPerSecond: number | null;
}

/**
 * The answer of an ingest key lookup (checked in this order):
 * - `unknown`: no such key, or its source was deleted → 401.
 * - `secret_mismatch`: a secret was given and is wrong, or the source requires one and none was
 *   given (`missing: true`; ThinkingData answers TP_ERR_INGEST_SECRET_REQUIRED) → 401.
 * - `disabled`: the source is disabled → 403 TP_ERR_INGEST_SOURCE_DISABLED, nothing stored.
 * - `ok`.
 */
export type IngestKeyVerdict =
  | { readonly status: 'ok'; readonly source: IngestSource }
  | { readonly status: 'disabled'; readonly source: IngestSource }
  | { readonly status: 'unknown' }
  | {
      readonly status: 'secret_mismatch';
      readonly missing: boolean;
      /** Whose key it is: the refusal is shown in that source's verify view. */
      readonly owner: { readonly id: string; readonly projectId: number };
    };

/**
 * Resolves ingest keys. Never serves a stale answer: every lookup reads the source row (one
 * indexed read); only decrypted secrets are cached, keyed by credentials version.
 */
export interface IngestKeyLookup {
  lookupIngestKey(appKey: string, secret: string | undefined): Promise<IngestKeyVerdict>;
}
