/** What a redacted query value is replaced with (the same word pino's redaction uses). */
export const REDACTED = '[redacted]';

// Exact names (normalized: lower case, letters and digits only) that carry a credential.
const SECRET_NAMES = new Set(['auth', 'authorization', 'code', 'pass', 'pwd', 'session', 'sessionid', 'sig']);
// …and name endings: access_token, writeKey, app_key, client_secret, x-api-key, new_password…
const SECRET_ENDINGS = [
  'token',
  'key',
  'secret',
  'password',
  'passwd',
  'signature',
  'credential',
  'credentials',
];

function normalize(name: string): string {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A malformed escape is still a name; judge it as written.
  }
  return decoded.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Whether a query parameter of this name holds a secret (`access_token`, `writeKey`, `app_key`…). */
export function isSecretParam(name: string): boolean {
  const n = normalize(name);
  return SECRET_NAMES.has(n) || SECRET_ENDINGS.some((ending) => n.endsWith(ending));
}

// A query parameter inside a URL or free text: after `?` or `&`, up to the next `&`, `#`,
// whitespace or quote. Names are what URLs allow in practice, percent escapes included.
const QUERY_PARAM = /([?&])([\w.~%+-]+)=([^&#\s"'<>]*)/g;

/**
 * The text with the value of every secret-looking query parameter replaced by `[redacted]`:
 * request URLs carry `?access_token=`, set-password links `?token=`, SDKs `?writeKey=`, and
 * receiver URLs `?key=` — none of which may reach a log (SEC-14). Works on a path with a query, an
 * absolute URL, or a message that quotes URLs; everything else is kept as written.
 *
 * @example
 *   redactUrl('/set-password?token=abc&next=/'); // '/set-password?token=[redacted]&next=/'
 */
export function redactUrl(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(QUERY_PARAM, (whole, lead: string, name: string, value: string) =>
    value !== '' && isSecretParam(name) ? `${lead}${name}=${REDACTED}` : whole,
  );
}
