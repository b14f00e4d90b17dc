// An independent route to the signatures: the openssl command line, not Node's crypto.
import { execFileSync } from 'node:child_process';

/** Lowercase hex HMAC-SHA1 of `body` keyed with `key`, computed by `openssl dgst -sha1 -hmac`. */
export function opensslHmacSha1(body: Uint8Array, key: string): string {
  const out = execFileSync('openssl', ['dgst', '-sha1', '-hmac', key], { input: body }).toString().trim();
  const hex = out.split(/\s+/).pop() ?? '';
  if (!/^[0-9a-f]{40}$/.test(hex)) throw new Error(`unexpected openssl output: ${out}`);
  return hex;
}

/** The bytes `gzip -dc` makes of `body` (an independent gunzip). */
export function gunzipWithGzip(body: Uint8Array): Buffer {
  return execFileSync('gzip', ['-dc'], { input: body });
}
