import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Counter, type Registry } from 'prom-client';
import type { Config } from '../config/load-config.ts';
import { TouchpointError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { IngestKeyLookup, IngestSource } from '../sources/ingest-key.ts';
import type { Store } from '../store/store.ts';
import { checkEvent, type EventProblem } from './check-event.ts';
import { decodeUtf8, type InvalidUtf8 } from './decode-utf8.ts';
import type { EventRejection, NormalizedEvent } from './event.ts';
import { EventInvalid } from './formats/fields.ts';
import { normalizeSegmentEvent, type SegmentType } from './formats/segment/normalize-segment.ts';
import { parseSegmentRequest } from './formats/segment/parse-segment.ts';
import {
  normalizeThinkingDataEvent,
  parseThinkingDataBatch,
} from './formats/thinkingdata/normalize-thinkingdata.ts';
import { GroupCommitter, type CommitFault } from './group-commit.ts';
import type { LifecycleEvents } from '../observability/lifecycle-events.ts';
import { defaultIngestLimits, type IngestLimits } from './limits.ts';
import { RateLimiter } from './rate-limiter.ts';
import { bodyEncoding, readBody } from './read-body.ts';
import { formFieldBytes, multipartBoundary, multipartFields } from './form-fields.ts';
import { decodeSyncJsData, parseSyncJsPayload } from './formats/thinkingdata/parse-thinkingdata-web.ts';
import type { BackgroundJob } from '../runner/worker-runner.ts';
import { systemScope } from '../access/scope.ts';

/** What the HTTP layer hands over: headers it read and the unread body stream. */
export interface IngestHttpInput {
  readonly requestId: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
  /** The query string without `?` (write keys of beacons, ThinkingData image requests). */
  readonly query?: string;
  /** Method and path (`POST /v1/t`), shown with a refusal in verify. */
  readonly request?: string;
}

/** Answer of `/v1/*` and `/sync_server`: valid events stored, invalid ones listed (1-based). */
export interface IngestResult {
  readonly accepted: number;
  readonly rejected: readonly EventRejection[];
  readonly source: IngestSource;
}

export interface IngestServiceDeps {
  readonly store: Store;
  readonly sources: IngestKeyLookup;
  readonly config: Config;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Where `ingest:accepted` and `ingest:rejected` go once a request's outcome is decided. */
  readonly events: LifecycleEvents;
  readonly limits?: IngestLimits;
}

const VERDICT_TTL_MS = 2000;

/**
 * How long an id-less request body is remembered per source (decision 102): a browser SDK's
 * retries of an unanswered request come within seconds; ten minutes covers a tab put to sleep.
 */
export const DIGEST_WINDOW_MS = 10 * 60_000;

/** What a request revealed about itself before it was refused: whose it is (for verify). */
interface Seen {
  owner?: { readonly id: string; readonly projectId: number };
}

/** The answer of `GET /sourceConfig`: the source behind the write key. */
export interface SourceConfigResult {
  readonly source: IngestSource;
  readonly writeKey: string;
}

interface Credentials {
  readonly appKey: string;
  readonly secret: string | undefined;
}

function header(input: IngestHttpInput, name: string): string | undefined {
  const value = input.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `Authorization: Basic base64(app_key:)` or `base64(app_key:secret)`; SDKs that take only a write key send `app_key:secret:`. */
export function basicCredentials(authorization: string | undefined): Credentials | undefined {
  if (!authorization) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization);
  if (!match) return undefined;
  let decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  if (decoded.endsWith(':') && decoded.indexOf(':') < decoded.length - 1) decoded = decoded.slice(0, -1);
  return writeKeyCredentials(decoded);
}

/** A write key: `app_key` or `app_key:master_secret`. */
export function writeKeyCredentials(writeKey: string): Credentials | undefined {
  const colon = writeKey.indexOf(':');
  const appKey = colon < 0 ? writeKey : writeKey.slice(0, colon);
  const secret = colon < 0 ? '' : writeKey.slice(colon + 1);
  if (appKey === '') return undefined;
  return { appKey, secret: secret === '' ? undefined : secret };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new TouchpointError(
      'TP_ERR_INVALID_JSON',
      position === undefined ? { reason: 'not valid JSON' } : { position: Number(position) },
      {
        message:
          text.length === 0
            ? 'The body is empty; send a JSON document.'
            : `The body is not valid JSON${position === undefined ? '' : ` (at byte ${position})`}; send a well-formed JSON document.`,
      },
    );
  }
}

/** A JSON body and where it held bytes that are not UTF-8. */
interface JsonBody {
  readonly value: unknown;
  readonly invalid: readonly InvalidUtf8[];
}

function readJsonText(bytes: Buffer): JsonBody {
  const { text, invalid } = decodeUtf8(bytes);
  return { value: parseJson(text), invalid };
}

/**
 * Attributes each invalid UTF-8 sequence to the event that holds it (`eventAt` maps a JSON path
 * to a 0-based event index): that event is rejected, the others are stored. A bad byte outside
 * every event (an envelope field) leaves no event to blame, so the whole request is refused.
 */
function utf8Rejections(
  invalid: readonly InvalidUtf8[],
  eventAt: (path: InvalidUtf8['path']) => number | undefined,
): Map<number, EventProblem> {
  const problems = new Map<number, EventProblem>();
  for (const { offset, path } of invalid) {
    const index = eventAt(path);
    if (index === undefined)
      throw new TouchpointError(
        'TP_ERR_INGEST_INVALID_UTF8',
        { offset },
        {
          message: `The body holds bytes that are not valid UTF-8 outside any event (at byte ${offset} of the decoded body); send UTF-8 text.`,
        },
      );
    if (!problems.has(index))
      problems.set(index, {
        code: 'TP_ERR_INGEST_INVALID_UTF8',
        message: `the event holds bytes that are not valid UTF-8 (at byte ${offset} of the decoded body); send UTF-8 text`,
      });
  }
  return problems;
}

/**
 * The ingest pipeline behind every wire format: overload check, bounded decoding,
 * authentication before any work, per-event checks and normalization, rate limit, group commit,
 * then the answer — "200 only after commit".
 */
/** Requests in hand at once from which ingest counts as saturated (role all: decision 85). */
export const SATURATED_REQUESTS = 8;

export class IngestService {
  readonly #deps: IngestServiceDeps;
  readonly #limits: IngestLimits;
  readonly #committer: GroupCommitter;
  #inFlight = 0;
  #saturatedUntil = 0;
  readonly #rate = new RateLimiter();
  readonly #verdicts = new Map<string, { source: IngestSource; until: number }>();
  readonly #events: Counter<'outcome'>;

  constructor(deps: IngestServiceDeps) {
    this.#deps = deps;
    this.#limits = deps.limits ?? defaultIngestLimits;
    const singleWriter = deps.store.capabilities.singleWriter;
    this.#committer = new GroupCommitter(deps.store, {
      concurrency: singleWriter ? 1 : Math.max(1, Math.min(4, deps.config.pgPoolMax - 1)),
      maxEventsPerCommit: 10_000,
      onSplit: (error) =>
        deps.logger.warn({ err: error }, 'ingest group commit failed; retrying its requests one by one'),
    });
    this.#events = new Counter({
      name: 'touchpoint_ingest_events_total',
      help: 'Ingested events by outcome: stored, duplicate (same source and message id, ING-19), rejected',
      labelNames: ['outcome'],
      registers: [deps.registry],
    });
  }

  /**
   * How busy ingest is right now: requests being handled (read, checked or waiting for their
   * commit), events waiting for (or in) a group commit, and whether the requests in hand reached
   * {@link SATURATED_REQUESTS} within the last 250 ms (the profile applier then gives way).
   */
  get load(): { requests: number; events: number; saturated: boolean } {
    return {
      requests: this.#inFlight,
      events: this.#committer.pendingEvents,
      saturated: Date.now() < this.#saturatedUntil,
    };
  }

  get limits(): IngestLimits {
    return this.#limits;
  }

  /** Sheds load before any body is read: 503 + Retry-After when the commit queue is over its bound. */
  checkCapacity(): void {
    if (this.#committer.pendingEvents >= this.#deps.config.ingestQueueMaxEvents)
      throw new TouchpointError('TP_ERR_INGEST_OVERLOADED', {}, { retryAfter: 1 });
  }

  /**
   * Resolves the key. Accepting verdicts are remembered for a moment: that is safe because the
   * commit re-checks the source's credentials version inside its transaction (a disable, delete or
   * rotation since then makes the request judge its key again, `fresh`), and it keeps SQLite's one
   * connection free for commits. Refusals are never remembered.
   */
  async #authenticate(
    credentials: Credentials | undefined,
    origin: string | undefined,
    seen: Seen,
    fresh = false,
  ): Promise<IngestSource> {
    if (!credentials) throw new TouchpointError('TP_ERR_INGEST_KEY_INVALID');
    const cacheKey = `${credentials.appKey}\u0000${credentials.secret === undefined ? '' : createHash('sha256').update(credentials.secret).digest('base64')}`;
    const cached = fresh ? undefined : this.#verdicts.get(cacheKey);
    if (cached && cached.until > performance.now()) return this.#checkOrigin(cached.source, origin, seen);
    let verdict;
    try {
      verdict = await this.#deps.sources.lookupIngestKey(credentials.appKey, credentials.secret);
    } catch (error) {
      // A key that cannot be checked is a server-side problem: never 4xx or 500 (decision 2).
      this.#deps.logger.warn({ err: error }, 'ingest key lookup failed');
      throw new TouchpointError('TP_ERR_INGEST_STORE_UNAVAILABLE', {}, { retryAfter: 2, cause: error });
    }
    switch (verdict.status) {
      case 'unknown':
        throw new TouchpointError('TP_ERR_INGEST_KEY_INVALID');
      case 'secret_mismatch':
        seen.owner = verdict.owner;
        throw new TouchpointError(
          verdict.missing ? 'TP_ERR_INGEST_SECRET_REQUIRED' : 'TP_ERR_INGEST_SECRET_MISMATCH',
        );
      case 'disabled':
        seen.owner = verdict.source;
        throw new TouchpointError('TP_ERR_INGEST_SOURCE_DISABLED');
      case 'ok':
        break;
    }
    if (this.#verdicts.size >= 10_000) this.#verdicts.clear();
    this.#verdicts.set(cacheKey, { source: verdict.source, until: performance.now() + VERDICT_TTL_MS });
    return this.#checkOrigin(verdict.source, origin, seen);
  }

  #checkOrigin(source: IngestSource, origin: string | undefined, seen: Seen): IngestSource {
    seen.owner = source;
    // Browsers always send Origin on these cross-origin POSTs; servers and apps send none.
    if (origin !== undefined && !source.origins.includes(origin))
      throw new TouchpointError('TP_ERR_INGEST_ORIGIN_FORBIDDEN', { origin: origin.slice(0, 200) });
    return source;
  }

  #rateOf(source: IngestSource): number {
    return source.rateLimitPerSecond ?? this.#deps.config.ingestRateLimit;
  }

  #checkRate(source: IngestSource): void {
    const wait = this.#rate.retryAfter(source.id, this.#rateOf(source));
    if (wait > 0) throw new TouchpointError('TP_ERR_INGEST_RATE_LIMITED', {}, { retryAfter: wait });
  }

  async #readJson(input: IngestHttpInput, encodingFromTe: boolean): Promise<JsonBody> {
    return readJsonText(await this.#read(input, encodingFromTe));
  }

  async #read(input: IngestHttpInput, encodingFromTe: boolean): Promise<Buffer> {
    const encoding = bodyEncoding(
      header(input, 'content-encoding'),
      encodingFromTe ? header(input, 'compress') : undefined,
    );
    const length = Number(header(input, 'content-length'));
    const wireLimit = encoding === 'identity' ? this.#limits.maxDecodedBytes : this.#limits.maxWireBytes;
    if (Number.isFinite(length) && length > wireLimit)
      throw new TouchpointError('TP_ERR_INGEST_BODY_TOO_LARGE', { limit: wireLimit });
    const { body } = await readBody(input.body, {
      encoding,
      maxWireBytes: this.#limits.maxWireBytes,
      maxDecodedBytes: this.#limits.maxDecodedBytes,
      timeoutMs: this.#deps.config.ingestBodyTimeoutMs,
    });
    return body;
  }

  #fault(input: IngestHttpInput): CommitFault | undefined {
    if (!this.#deps.config.testFaults) return undefined;
    const value = header(input, 'x-touchpoint-test-fault');
    const faults: readonly string[] = [
      'exit-before-commit',
      'exit-after-commit',
      'fail-commit',
      'pause-commit',
    ];
    return value !== undefined && faults.includes(value) ? (value as CommitFault) : undefined;
  }

  /** Checks and normalizes each event; the invalid ones become rejections with their 1-based index. */
  #judge(
    events: readonly unknown[],
    normalize: (event: unknown) => NormalizedEvent,
    found: ReadonlyMap<number, EventProblem> = new Map(),
  ): { valid: NormalizedEvent[]; rejected: (EventRejection & { event: unknown })[] } {
    if (events.length > this.#limits.maxEvents)
      throw new TouchpointError(
        'TP_ERR_INGEST_TOO_MANY_EVENTS',
        { limit: this.#limits.maxEvents, count: events.length },
        {
          message: `The request holds ${events.length} events; at most ${this.#limits.maxEvents} are allowed. Split the batch.`,
        },
      );
    const valid: NormalizedEvent[] = [];
    const rejected: (EventRejection & { event: unknown })[] = [];
    events.forEach((event, i) => {
      const checked = found.get(i) ?? checkEvent(event, this.#limits);
      if (typeof checked !== 'number') {
        rejected.push({ index: i + 1, code: checked.code, message: checked.message, event });
        return;
      }
      try {
        valid.push(normalize(event));
      } catch (error) {
        if (!(error instanceof EventInvalid)) throw error;
        rejected.push({ index: i + 1, code: error.code, message: error.message, event });
      }
    });
    return { valid, rejected };
  }

  async #commit(
    input: IngestHttpInput,
    source: IngestSource,
    credentials: Credentials,
    origin: string | undefined,
    valid: readonly NormalizedEvent[],
    rejected: readonly (EventRejection & { event: unknown })[],
    seen: Seen,
    options: { dryRun?: boolean; digest?: string } = {},
  ): Promise<IngestResult> {
    const dryRun = options.dryRun === true;
    // Only a request whose events carry no id of their own is de-duplicated by its body.
    const digest =
      options.digest !== undefined && valid.some((e) => e.messageIdGenerated)
        ? { value: options.digest, windowMs: DIGEST_WINDOW_MS }
        : undefined;
    this.#rate.charge(source.id, this.#rateOf(source), valid.length + rejected.length);
    let current = source;
    let duplicates = 0;
    if (valid.length > 0 && !dryRun) {
      for (let attempt = 0; ; attempt++) {
        let result;
        try {
          result = await this.#committer.submit({
            source: current,
            events: valid,
            fault: this.#fault(input),
            ...(digest ? { digest } : {}),
          });
        } catch (error) {
          this.#deps.logger.error({ err: error, requestId: input.requestId }, 'ingest commit failed');
          throw new TouchpointError('TP_ERR_INGEST_STORE_UNAVAILABLE', {}, { retryAfter: 2, cause: error });
        }
        if (result.status === 'committed') {
          duplicates = result.isNew.filter((n) => !n).length;
          break;
        }
        // The source changed between the key check and the commit: judge the key again.
        if (attempt >= 2) throw new TouchpointError('TP_ERR_INGEST_STORE_UNAVAILABLE', {}, { retryAfter: 1 });
        current = await this.#authenticate(credentials, origin, seen, true);
      }
    } else {
      // Nothing to commit, so no re-check inside a transaction: judge the key afresh.
      current = await this.#authenticate(credentials, origin, seen, true);
    }
    this.#events.inc({ outcome: 'stored' }, dryRun ? 0 : valid.length - duplicates);
    if (duplicates > 0) this.#events.inc({ outcome: 'duplicate' }, duplicates);
    if (rejected.length > 0) this.#events.inc({ outcome: 'rejected' }, rejected.length);
    const base = { projectId: current.projectId, sourceId: current.id, requestId: input.requestId };
    if (valid.length > 0)
      this.#deps.events.emit('ingest:accepted', { ...base, events: valid, duplicates, dryRun });
    if (rejected.length > 0) this.#deps.events.emit('ingest:rejected', { ...base, rejections: rejected });
    return {
      accepted: valid.length,
      rejected: rejected.map(({ index, code, message }) => ({ index, code, message })),
      source: current,
    };
  }

  /**
   * Runs one request: counts it in flight, and when it is refused after its source became known
   * (wrong origin, secret, disabled source, a body of the wrong format), reports the refusal as
   * `ingest:refused` so the source's verify view shows it. Refusals for an unknown key have no
   * source to show them in; 429 and 5xx are not refusals of the data (it may be sent again).
   */
  async #handle<T>(input: IngestHttpInput, work: (seen: Seen) => Promise<T>): Promise<T> {
    if (++this.#inFlight >= SATURATED_REQUESTS) this.#saturatedUntil = Date.now() + 250;
    const seen: Seen = {};
    try {
      return await work(seen);
    } catch (error) {
      if (error instanceof TouchpointError && seen.owner && error.status >= 400 && error.status < 500)
        if (error.status !== 429)
          this.#deps.events.emit('ingest:refused', {
            projectId: seen.owner.projectId,
            sourceId: seen.owner.id,
            requestId: input.requestId,
            request: input.request ?? null,
            origin: header(input, 'origin') ?? null,
            code: error.code,
            message: error.message,
            details: error.details ?? {},
          });
      throw error;
    } finally {
      this.#inFlight--;
    }
  }

  /**
   * Segment-compatible `/v1/batch` and the single calls (also RudderStack's JavaScript SDK).
   * `keyInQuery`: RudderStack's beacon sends its write key as `?writeKey=` (a beacon has no
   * headers).
   */
  async segment(
    call: SegmentType | 'batch',
    input: IngestHttpInput,
    options: { keyInQuery?: boolean } = {},
  ): Promise<IngestResult> {
    return this.#handle(input, (seen) => this.#segment(call, input, seen, options.keyInQuery === true));
  }

  async #segment(
    call: SegmentType | 'batch',
    input: IngestHttpInput,
    seen: Seen,
    keyInQuery: boolean,
  ): Promise<IngestResult> {
    this.checkCapacity();
    const origin = header(input, 'origin');
    const queryKey = keyInQuery ? new URLSearchParams(input.query ?? '').get('writeKey') : null;
    let credentials =
      basicCredentials(header(input, 'authorization')) ??
      (queryKey ? writeKeyCredentials(queryKey) : undefined);
    // With the key in the header, nobody unauthenticated makes us read or parse a body.
    let source = credentials ? await this.#authenticate(credentials, origin, seen) : undefined;
    if (source) this.#checkRate(source);
    const body = await this.#readJson(input, false);
    const request = parseSegmentRequest(body.value, call);
    // Two different keys in one request (header and body): refuse rather than pick one (MT-13).
    if (credentials && request.writeKey !== undefined) {
      const bodyKey = writeKeyCredentials(request.writeKey);
      if (bodyKey && bodyKey.appKey !== credentials.appKey)
        throw new TouchpointError('TP_ERR_INGEST_KEY_INVALID');
    }
    if (!source) {
      credentials = request.writeKey === undefined ? undefined : writeKeyCredentials(request.writeKey);
      source = await this.#authenticate(credentials, origin, seen);
      this.#checkRate(source);
    }
    // A single call's body is its event; a batch's events are under "batch".
    const found = utf8Rejections(body.invalid, (path) =>
      call !== 'batch' ? 0 : path[0] === 'batch' && typeof path[1] === 'number' ? path[1] : undefined,
    );
    // The batch's context is merged into every event: a problem there is the whole request's.
    const { context, integrations } = request.envelope;
    const envelope = checkEvent({ context, integrations }, this.#limits);
    if (typeof envelope !== 'number' && envelope.code !== 'TP_ERR_INGEST_EVENT_TOO_LARGE')
      throw new TouchpointError(envelope.code, {}, { message: `The batch: ${envelope.message}.` });
    const receivedAt = Date.now();
    const { valid, rejected } = this.#judge(
      request.events,
      (event) => normalizeSegmentEvent(event, request.pathType, request.envelope, receivedAt, this.#limits),
      found,
    );
    return this.#commit(input, source, credentials!, origin, valid, rejected, seen);
  }

  /**
   * RudderStack's `GET /sourceConfig/?writeKey=…` (Basic `writeKey:` too): the key is judged like
   * an event request's, origin included, so a page learns at load time that it may not send.
   */
  async sourceConfig(input: IngestHttpInput): Promise<SourceConfigResult> {
    return this.#handle(input, async (seen) => {
      const queryKey = new URLSearchParams(input.query ?? '').get('writeKey');
      const fromHeader = basicCredentials(header(input, 'authorization'));
      const fromQuery = queryKey ? writeKeyCredentials(queryKey) : undefined;
      if (fromHeader && fromQuery && fromHeader.appKey !== fromQuery.appKey)
        throw new TouchpointError('TP_ERR_INGEST_KEY_INVALID');
      const credentials = fromHeader ?? fromQuery;
      const source = await this.#authenticate(credentials, header(input, 'origin'), seen);
      return { source, writeKey: credentials!.appKey };
    });
  }

  /** ThinkingData `/sync_server`: `appid` header, `compress` header, a JSON array of events. */
  async thinkingData(input: IngestHttpInput): Promise<IngestResult> {
    return this.#handle(input, (seen) => this.#thinkingData(input, seen));
  }

  async #thinkingData(input: IngestHttpInput, seen: Seen): Promise<IngestResult> {
    this.checkCapacity();
    const appId = header(input, 'appid');
    const credentials = appId ? { appKey: appId, secret: undefined } : undefined;
    const origin = header(input, 'origin');
    const source = await this.#authenticate(credentials, origin, seen);
    this.#checkRate(source);
    const raw = await this.#read(input, true);
    const body = readJsonText(raw);
    const events = parseThinkingDataBatch(body.value);
    // An array holds the events; a single object is the one event.
    const found = utf8Rejections(body.invalid, (path) =>
      !Array.isArray(body.value) ? 0 : typeof path[0] === 'number' ? path[0] : undefined,
    );
    const receivedAt = Date.now();
    const { valid, rejected } = this.#judge(
      events,
      (event) => normalizeThinkingDataEvent(event, source.timeZone, receivedAt, this.#limits),
      found,
    );
    return this.#commit(input, source, credentials!, origin, valid, rejected, seen, {
      digest: bodyDigest('sync_server', raw),
    });
  }

  /**
   * ThinkingData's web SDK, normal mode: `/sync_js` with `data=<base64 of {"data":[…],"#app_id"}>`
   * as a form POST (ajax), in the query string (image GET), or as multipart (sendBeacon). The
   * app id is inside the document, so the body is read (under the caps) before the key is judged.
   */
  async thinkingDataWeb(input: IngestHttpInput): Promise<IngestResult> {
    return this.#handle(input, (seen) => this.#thinkingDataWeb(input, seen));
  }

  async #thinkingDataWeb(input: IngestHttpInput, seen: Seen): Promise<IngestResult> {
    this.checkCapacity();
    const origin = header(input, 'origin');
    const fields = await this.#formFields(input);
    const field = fields.get('data');
    if (field === undefined)
      throw new TouchpointError('TP_ERR_INGEST_MALFORMED', { reason: 'the form field data is missing' });
    const decoded = decodeSyncJsData(field);
    const body = readJsonText(decoded);
    const payload = parseSyncJsPayload(body.value);
    const credentials = payload.appId ? { appKey: payload.appId, secret: undefined } : undefined;
    const source = await this.#authenticate(credentials, origin, seen);
    this.#checkRate(source);
    const found = utf8Rejections(body.invalid, (path) =>
      path[0] === 'data' && typeof path[1] === 'number' ? path[1] : undefined,
    );
    const receivedAt = Date.now();
    const { valid, rejected } = this.#judge(
      payload.events,
      (event) => normalizeThinkingDataEvent(event, source.timeZone, receivedAt, this.#limits),
      found,
    );
    return this.#commit(input, source, credentials!, origin, valid, rejected, seen, {
      digest: bodyDigest('sync_js', decoded),
    });
  }

  /**
   * A form's fields from the query string (GET), a form-encoded body, or a multipart body. Only
   * the fields read here are returned; multipart is told by its Content-Type (the one case the
   * Content-Type is read: its boundary is needed).
   */
  async #formFields(input: IngestHttpInput): Promise<Map<string, Buffer>> {
    const names = ['data', 'appid', 'dryRun', 'deviceId'];
    const boundary = multipartBoundary(header(input, 'content-type'));
    const raw = await this.#read(input, true);
    if (boundary !== undefined) return multipartFields(raw, boundary);
    const text = raw.length > 0 ? raw : Buffer.from(input.query ?? '', 'latin1');
    const fields = new Map<string, Buffer>();
    for (const name of names) {
      const value = formFieldBytes(text, name);
      if (value !== undefined) fields.set(name, value);
    }
    return fields;
  }

  /**
   * ThinkingData `/data_debug`: one event (`data`, `appid`, `dryRun`, `deviceId`), form-encoded
   * (the server SDKs and the web SDK's debug mode) or multipart (the web SDK's beacon),
   * validated, stored unless `dryRun=1`.
   */
  async thinkingDataDebug(input: IngestHttpInput): Promise<IngestResult> {
    return this.#handle(input, (seen) => this.#thinkingDataDebug(input, seen));
  }

  async #thinkingDataDebug(input: IngestHttpInput, seen: Seen): Promise<IngestResult> {
    this.checkCapacity();
    const origin = header(input, 'origin');
    const headerAppId = header(input, 'appid');
    let source = headerAppId
      ? await this.#authenticate({ appKey: headerAppId, secret: undefined }, origin, seen)
      : undefined;
    const form = await this.#formFields(input);
    const formAppId = form.get('appid')?.toString('utf8') || undefined;
    if (headerAppId && formAppId && formAppId !== headerAppId)
      throw new TouchpointError('TP_ERR_INGEST_KEY_INVALID');
    const appId = headerAppId ?? formAppId;
    const credentials = appId ? { appKey: appId, secret: undefined } : undefined;
    source ??= await this.#authenticate(credentials, origin, seen);
    this.#checkRate(source);
    const data = form.get('data');
    if (data === undefined)
      throw new TouchpointError('TP_ERR_INGEST_MALFORMED', { reason: 'the form field data is missing' });
    const body = readJsonText(data);
    const found = utf8Rejections(body.invalid, () => 0);
    const receivedAt = Date.now();
    const timeZone = source.timeZone;
    const { valid, rejected } = this.#judge(
      [body.value],
      (e) => normalizeThinkingDataEvent(e, timeZone, receivedAt, this.#limits),
      found,
    );
    return this.#commit(input, source, credentials!, origin, valid, rejected, seen, {
      dryRun: form.get('dryRun')?.toString('latin1') === '1',
      digest: bodyDigest('data_debug', data),
    });
  }

  /** Deletes request digests older than their window; returns how many. */
  pruneDigests(now = Date.now()): Promise<number> {
    return this.#deps.store.ingestDigests.prune(
      systemScope('retention prunes ingest digests'),
      now - DIGEST_WINDOW_MS,
    );
  }

  /** The digests' retention as a background job of the worker runner (every minute). */
  digestRetentionJob(intervalMs = 60_000): BackgroundJob {
    return {
      name: 'ingest-digest-retention',
      intervalMs,
      run: async () => {
        await this.pruneDigests();
      },
    };
  }
}

/** The digest of a request's events as sent (decision 102): per endpoint, over the decoded bytes. */
function bodyDigest(endpoint: string, bytes: Buffer): string {
  return createHash('sha256').update(endpoint).update('\n').update(bytes).digest('base64url');
}
