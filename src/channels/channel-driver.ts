import type { Cidr } from '../config/cidr.ts';
import type { Issues } from '../issues.ts';
import type { GuardedClient } from '../net/guarded-client.ts';
import type { AttemptVerdict } from './message-outcome.ts';
import type { RenderedMessage } from './message.ts';
import type { ChannelConfigs, ChannelKind, ChannelOf } from './model.ts';

/** The channel's secrets in clear, read only when a request is about to be made. */
export interface ChannelSecrets {
  /** `auth = token`: keys `X-TE-OPS-Signature`. */
  readonly token?: string;
  /** Signature v2: the active keys, newest first (two during a rotation overlap). */
  readonly v2Keys: readonly string[];
}

/** What a driver needs besides the batch. */
export interface DeliveryContext<K extends ChannelKind = ChannelKind> {
  readonly channel: ChannelOf<K>;
  /** Decrypts the secrets; throws `SecretDecryptError` when a ciphertext was tampered with. */
  readonly secrets: () => ChannelSecrets;
  /** The one client for customer URLs (RELIABILITY decision 6). */
  readonly client: GuardedClient;
  /** The project's time zone, for the string form of dates. */
  readonly timeZone: string;
  readonly nowMs: number;
  /** Caps the channel's own timeout (a test send does not wait an hour). */
  readonly maxTimeoutMs?: number;
  /**
   * Awaited right before the request leaves, after the body is built, signed and compressed: the
   * dispatcher waits here for a rate-limited start (decision 91).
   */
  readonly beforeRequest?: () => Promise<void>;
}

/** What was sent, for the attempt record and the test-send dialog (secrets never appear). */
export interface DeliveryRequestRecord {
  readonly method: string;
  /** Credentials masked. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON text every signature covered (before compression). */
  readonly body: string;
  /** Bytes on the wire (gzipped when compression is on). */
  readonly bodyBytes: number;
}

export interface DeliveryResponseRecord {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The decoded answer, capped by the guarded client. */
  readonly body: string;
}

/**
 * The result of one delivery attempt: the verdict with one outcome per item, in order, plus what
 * went over the wire. `request` is absent when nothing was sent (e.g. an unreadable secret).
 */
export interface DeliveryResult {
  readonly verdict: AttemptVerdict;
  readonly request?: DeliveryRequestRecord;
  readonly response?: DeliveryResponseRecord;
  readonly timings: { readonly totalMs: number; readonly responseStartMs?: number };
}

/**
 * One kind of reach channel (STYLE "Seams"). `deliver` sends one batch and never throws for
 * anything the network, the receiver or a stored secret does: failures are data, one outcome per
 * item in `verdict.outcomes`, in the batch's order.
 *
 * @example
 *   const driver = channelDrivers[channel.kind];
 *   const result = await driver.deliver([message], { channel, secrets, client, timeZone, nowMs: Date.now() });
 *   result.verdict.outcomes[0]; // { state: 'delivered' } | { state: 'retry', … } | …
 */
export interface ChannelDriver<K extends ChannelKind = ChannelKind> {
  readonly kind: K;
  /** JSON schema of the kind's settings in the admin API (snake_case, as in SPEC §3.1). */
  readonly configSchema: Readonly<Record<string, unknown>>;
  /**
   * Checks and normalizes the kind's settings, adding every problem to `issues` (all at once, so
   * a form can show them together); the result is what is stored.
   */
  checkConfig(
    input: ChannelConfigs[K],
    options: { readonly allowTargets: readonly Cidr[] },
    issues: Issues,
  ): ChannelConfigs[K];
  /** Whether the settings ask for a request-signing key (signature v2 for webhooks). */
  wantsSigningKey(config: ChannelConfigs[K]): boolean;
  /** A new signing key, shown once to the operator and stored encrypted. */
  newSigningKey(): string;
  /** Headers of the enum-options GET (SPEC §3.1 CONTRACT) for a channel with this token. */
  enumOptionsHeaders(token: string | undefined): Readonly<Record<string, string>>;
  deliver(batch: readonly RenderedMessage[], ctx: DeliveryContext<K>): Promise<DeliveryResult>;
}
