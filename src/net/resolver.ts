import { lookup } from 'node:dns/promises';

/**
 * Turns a host name into every address it resolves to. The guarded client asks once per new
 * connection and connects only to an address it has checked; tests inject a stub that answers
 * per call to play DNS rebinding (SSRF-05..07) without any network.
 *
 * @example
 *   const stub: Resolver = async (host) => (host === 'receiver.test' ? ['127.0.0.1'] : []);
 */
export type Resolver = (hostname: string) => Promise<readonly string[]>;

/** The operating system's resolver (`getaddrinfo`, so `/etc/hosts` applies), every address. */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, order: 'verbatim' });
  return answers.map((a) => a.address);
};
