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

/** What the HTTP layer hands over: headers it read and the unread body stream. */
export interface IngestHttpInput {
  readonly requestId: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
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

/** The raw bytes of the first form field `name` (percent-escapes decoded to bytes, `+` as space). */
function formFieldBytes(body: Buffer, name: string): Buffer | undefined {
  const text = body.toString('latin1');
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key !== name) continue;
    const raw = (eq < 0 ? '' : pair.slice(eq + 1)).replaceAll('+', ' ');
    const out: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const hex = raw[i] === '%' ? raw.slice(i + 1, i + 3) : '';
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 2;
      } else out.push(raw.charCodeAt(i) & 0xff);
    }
    return Buffer.from(out);
  }
  return undefined;
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
    fresh = false,
  ): Promise<IngestSource> {
    if (!credentials) throw new TouchpointError('TP_ERR_INGEST_KEY_INVALID');
    const cacheKey = `${credentials.appKey}\u0000${credentials.secret === undefined ? '' : createHash('sha256').update(credentials.secret).digest('base64')}`;
    const cached = fresh ? undefined : this.#verdicts.get(cacheKey);
    if (cached && cached.until > performance.now()) return this.#checkOrigin(cached.source, origin);
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
        throw new TouchpointError(
          verdict.missing ? 'TP_ERR_INGEST_SECRET_REQUIRED' : 'TP_ERR_INGEST_SECRET_MISMATCH',
        );
      case 'disabled':
        throw new TouchpointError('TP_ERR_INGEST_SOURCE_DISABLED');
      case 'ok':
        break;
    }
    if (this.#verdicts.size >= 10_000) this.#verdicts.clear();
    this.#verdicts.set(cacheKey, { source: verdict.source, until: performance.now() + VERDICT_TTL_MS });
    return this.#checkOrigin(verdict.source, origin);
  }

  #checkOrigin(source: IngestSource, origin: string | undefined): IngestSource {
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
    dryRun = false,
  ): Promise<IngestResult> {
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
        current = await this.#authenticate(credentials, origin, true);
      }
    } else {
      // Nothing to commit, so no re-check inside a transaction: judge the key afresh.
      current = await this.#authenticate(credentials, origin, true);
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

  /** Segment-compatible `/v1/batch` and the single calls. */
  async segment(call: SegmentType | 'batch', input: IngestHttpInput): Promise<IngestResult> {
    if (++this.#inFlight >= SATURATED_REQUESTS) this.#saturatedUntil = Date.now() + 250;
    try {
      return await this.#segment(call, input);
    } finally {
      this.#inFlight--;
    }
  }

  async #segment(call: SegmentType | 'batch', input: IngestHttpInput): Promise<IngestResult> {
    this.checkCapacity();
    const origin = header(input, 'origin');
    let credentials = basicCredentials(header(input, 'authorization'));
    // With the key in the header, nobody unauthenticated makes us read or parse a body.
    let source = credentials ? await this.#authenticate(credentials, origin) : undefined;
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
      source = await this.#authenticate(credentials, origin);
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
    return this.#commit(input, source, credentials!, origin, valid, rejected);
  }

  /** ThinkingData `/sync_server`: `appid` header, `compress` header, a JSON array of events. */
  async thinkingData(input: IngestHttpInput): Promise<IngestResult> {
    if (++this.#inFlight >= SATURATED_REQUESTS) this.#saturatedUntil = Date.now() + 250;
    try {
      return await this.#thinkingData(input);
    } finally {
      this.#inFlight--;
    }
  }

  async #thinkingData(input: IngestHttpInput): Promise<IngestResult> {
    this.checkCapacity();
    const appId = header(input, 'appid');
    const credentials = appId ? { appKey: appId, secret: undefined } : undefined;
    const origin = header(input, 'origin');
    const source = await this.#authenticate(credentials, origin);
    this.#checkRate(source);
    const body = await this.#readJson(input, true);
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
    return this.#commit(input, source, credentials!, origin, valid, rejected);
  }

  /**
   * ThinkingData `/data_debug`: one form-encoded event (`data`, `appid`, `dryRun`, `deviceId`),
   * validated, stored unless `dryRun=1`.
   */
  async thinkingDataDebug(input: IngestHttpInput): Promise<IngestResult> {
    this.checkCapacity();
    const origin = header(input, 'origin');
    const headerAppId = header(input, 'appid');
    let source = headerAppId
      ? await this.#authenticate({ appKey: headerAppId, secret: undefined }, origin)
      : undefined;
    const raw = await this.#read(input, true);
    const form = new URLSearchParams(raw.toString('utf8'));
    const formAppId = form.get('appid') ?? undefined;
    if (headerAppId && formAppId && formAppId !== headerAppId)
      throw new TouchpointError('TP_ERR_INGEST_KEY_INVALID');
    const appId = headerAppId ?? formAppId;
    const credentials = appId ? { appKey: appId, secret: undefined } : undefined;
    source ??= await this.#authenticate(credentials, origin);
    this.#checkRate(source);
    // The field's bytes, not URLSearchParams' text: that would turn bad UTF-8 into U+FFFD unseen.
    const data = formFieldBytes(raw, 'data');
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
    return this.#commit(input, source, credentials!, origin, valid, rejected, form.get('dryRun') === '1');
  }
}
