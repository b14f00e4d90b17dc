import { isIP } from 'node:net';
import type { Cidr } from '../config/cidr.ts';
import { TouchpointError } from '../errors.ts';
import { decideAddress } from './address-policy.ts';
import { maskUrl } from './mask-url.ts';

/** A customer URL that passed {@link checkTargetUrl}, in the form the guard and the client use. */
export interface CheckedTarget {
  /** The WHATWG-normalized URL (lower-case host, canonical IP literals, default port dropped). */
  readonly url: URL;
  /** The host the guard judged: lower case, without IPv6 brackets or a trailing dot. */
  readonly hostname: string;
  /** The port a connection would use (the scheme's default when the URL names none). */
  readonly port: number;
  /** The IP address when the host is a literal one; names are resolved only at connect time. */
  readonly address: string | undefined;
}

export interface CheckTargetOptions {
  /** `TOUCHPOINT_ALLOW_TARGETS`: blocked ranges that may be reached anyway. */
  readonly allowTargets: readonly Cidr[];
}

// RFC 6761: these names always mean the local machine, whatever a resolver says.
const loopbackNameAddresses = ['127.0.0.1', '::1'];

function isLocalhostName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost');
}

function invalid(reason: string, url: string, extra: Record<string, unknown> = {}): TouchpointError {
  return new TouchpointError('TP_ERR_TARGET_INVALID', { reason, url: maskUrl(url), ...extra });
}

/**
 * Save-time (and send-time) check of a customer URL, without DNS: the scheme is http or https,
 * the URL parses under WHATWG rules (which normalize `0x7f.1`, `2130706433`, `LOCALHOST`, full-
 * width letters… before anything is judged), the port is 1–65535, and a literal IP address or a
 * `localhost` name is refused when it lies in a blocked range not named by the allowlist. Host
 * names are only resolved by {@link GuardedClient} at connect time, because an answer obtained
 * now says nothing about the answer at send time (SSRF-07).
 *
 * Throws `TP_ERR_URL_SCHEME_INVALID` or `TP_ERR_TARGET_INVALID` (both 400); details never carry
 * URL credentials unmasked.
 *
 * @example
 *   const target = checkTargetUrl('https://Hooks.Example.com./in', { allowTargets: [] });
 *   target.hostname; // 'hooks.example.com'
 *   checkTargetUrl('http://0x7f.1/', { allowTargets: [] }); // throws TP_ERR_TARGET_INVALID
 */
export function checkTargetUrl(input: string | URL, options: CheckTargetOptions): CheckedTarget {
  const text = String(input);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // A scheme we refuse is the more useful message even when the rest does not parse.
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text.trim())?.[1]?.toLowerCase();
    if (scheme !== undefined && scheme !== 'http' && scheme !== 'https')
      throw new TouchpointError('TP_ERR_URL_SCHEME_INVALID', { scheme });
    throw invalid('unparseable', text);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TouchpointError('TP_ERR_URL_SCHEME_INVALID', { scheme: url.protocol.slice(0, -1) });

  let hostname = url.hostname;
  if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
  if (hostname.endsWith('.')) hostname = hostname.slice(0, -1);
  if (hostname === '') throw invalid('no_host', text);

  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  // WHATWG accepts port 0; nothing listens there, and some stacks treat it as "any port".
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('port', text, { port });

  const address = isIP(hostname) !== 0 ? hostname : undefined;
  const candidates =
    address !== undefined ? [address] : isLocalhostName(hostname) ? loopbackNameAddresses : [];
  for (const candidate of candidates) {
    const decision = decideAddress(candidate, options.allowTargets);
    if (!decision.allowed) throw invalid('blocked_address', text, { host: hostname, range: decision.range });
  }
  return { url, hostname, port, address };
}
