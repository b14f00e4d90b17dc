import { redactUrl } from '../observability/redact-url.ts';

/**
 * The URL with any user name and password replaced by `***` and secret-looking query values
 * (`?key=`, `?access_token=`…) by `[redacted]`, for logs and messages: credentials in a channel
 * URL are secrets and never appear unmasked (SSRF-11, SEC-14). Text that does not parse as a URL
 * is reduced to a placeholder rather than echoed, since it may hold anything.
 *
 * @example
 *   maskUrl('https://user:pw@hooks.example.com/x'); // 'https://***:***@hooks.example.com/x'
 *   maskUrl('https://bots.example.com/send?key=abc'); // 'https://bots.example.com/send?key=[redacted]'
 */
export function maskUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return '<unparseable url>';
  }
  if (parsed.username !== '') parsed.username = '***';
  if (parsed.password !== '') parsed.password = '***';
  return redactUrl(parsed.href);
}
