/**
 * The URL with any user name and password replaced by `***`, for logs and messages: credentials
 * in a channel URL are secrets and never appear unmasked (SSRF-11, SEC-14). Text that does not
 * parse as a URL is reduced to a placeholder rather than echoed, since it may hold anything.
 *
 * @example
 *   maskUrl('https://user:pw@hooks.example.com/x'); // 'https://***:***@hooks.example.com/x'
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
  return parsed.href;
}
