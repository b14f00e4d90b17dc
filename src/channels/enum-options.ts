import { TouchpointError } from '../errors.ts';
import type { GuardedClient } from '../net/guarded-client.ts';
import { channelLimits } from './channel-checks.ts';
import type { EnumOption } from './model.ts';

/** The enum-options URL CONTRACT (SPEC §3.1). */
export const enumOptionsContract = {
  timeoutMs: 5_000,
  cacheMs: 10 * 60 * 1000,
  maxOptions: channelLimits.enumOptions,
  warnAbove: channelLimits.enumOptionsWarn,
  /** A list of 1,000 options is far below this. */
  maxResponseBytes: 1024 * 1024,
} as const;

/** A fetched option list. `stale`: the URL failed just now and this is the last good list. */
export interface EnumOptionList {
  readonly options: readonly EnumOption[];
  readonly fetchedAt: number;
  readonly stale: boolean;
  /** Why the latest fetch failed (customer-safe text), when `stale`. */
  readonly error?: string;
}

interface CacheEntry {
  readonly options: readonly EnumOption[];
  readonly fetchedAt: number;
}

/** Reads `[{"code","name"}]` strictly; a reason string when the answer breaks the contract. */
export function parseEnumOptions(body: Buffer): EnumOption[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return 'the answer is not JSON';
  }
  if (!Array.isArray(parsed)) return 'the answer is not a JSON array';
  if (parsed.length > enumOptionsContract.maxOptions)
    return `the answer lists ${parsed.length} options; at most ${enumOptionsContract.maxOptions} are allowed`;
  const options: EnumOption[] = [];
  const codes = new Set<string>();
  for (const [i, item] of parsed.entries()) {
    const o = item as { code?: unknown; name?: unknown } | null;
    if (typeof o !== 'object' || o === null || typeof o.code !== 'string' || typeof o.name !== 'string')
      return `option ${i + 1} is not {"code": string, "name": string}`;
    if (o.code === '' || codes.has(o.code)) return `option ${i + 1} has an empty or repeated code`;
    codes.add(o.code);
    options.push({ code: o.code, name: o.name });
  }
  return options;
}

/**
 * Fetches enum options from a field's URL (SPEC §3.1 CONTRACT): `GET {url}` through the guarded
 * client, 5 s timeout, with the kind's signature headers (webhook `auth = token`: an
 * `X-TE-OPS-Signature` of the empty body, see the driver's `enumOptionsHeaders`); expects
 * 200 and at most 1,000 `{code, name}`. Lists are cached 10 minutes per project, channel, field
 * and URL (a cache key always names the tenant, MT-15); when the URL fails, the last good list
 * is answered marked `stale`, and with none `TP_ERR_CHANNEL_ENUM_OPTIONS_UNAVAILABLE`.
 */
export class EnumOptionsSource {
  readonly #client: GuardedClient;
  readonly #now: () => number;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(deps: { client: GuardedClient; now?: () => number }) {
    this.#client = deps.client;
    this.#now = deps.now ?? Date.now;
  }

  /** Fetches now, bypassing the cache (the form's preview). Throws when the URL fails. */
  async fetchNow(url: string, headers: Readonly<Record<string, string>>): Promise<EnumOption[]> {
    const result = await this.#client.request({
      method: 'GET',
      url,
      headers: {
        Accept: 'application/json',
        ...headers,
      },
      timeoutMs: enumOptionsContract.timeoutMs,
      maxResponseBytes: enumOptionsContract.maxResponseBytes,
    });
    const fail = (reason: string) =>
      new TouchpointError('TP_ERR_CHANNEL_ENUM_OPTIONS_UNAVAILABLE', { reason });
    if (result.kind === 'failure') throw fail(result.message);
    if (result.kind !== 'response') throw fail('no answer');
    if (result.status !== 200) throw fail(`the URL answered HTTP ${result.status}; 200 is expected`);
    const options = parseEnumOptions(result.body);
    if (typeof options === 'string') throw fail(options);
    return options;
  }

  /** The cached list when younger than 10 minutes, else a fresh one, else the last good one (stale). */
  async get(
    key: { projectId: number; channelId: string; field: string; url: string },
    headers: Readonly<Record<string, string>>,
    /** Called before a request leaves (not for a cached answer): the caller's rate limit. */
    beforeFetch: () => void = () => {},
  ) {
    const cacheKey = JSON.stringify([key.projectId, key.channelId, key.field, key.url]);
    const cached = this.#cache.get(cacheKey);
    const now = this.#now();
    if (cached && now - cached.fetchedAt < enumOptionsContract.cacheMs)
      return { options: cached.options, fetchedAt: cached.fetchedAt, stale: false } satisfies EnumOptionList;
    beforeFetch();
    try {
      const options = await this.fetchNow(key.url, headers);
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(cacheKey, { options, fetchedAt: now });
      return { options, fetchedAt: now, stale: false } satisfies EnumOptionList;
    } catch (error) {
      if (!cached) throw error;
      return {
        options: cached.options,
        fetchedAt: cached.fetchedAt,
        stale: true,
        error: error instanceof TouchpointError ? String(error.details?.reason ?? error.message) : 'failed',
      } satisfies EnumOptionList;
    }
  }
}
