/**
 * The one registry of Touchpoint error codes. Every HTTP error body is
 * `{ "error": { "code", "message", "details" } }` with a code from this table; codes are never
 * reused or renamed, only added. `docs/errors.md` is generated from this table (`npm run docs`)
 * and a test keeps the two in sync.
 *
 * @example
 *   throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'source' });
 */
export const errorCodes = {
  // generic request errors
  TP_ERR_VALIDATION: {
    status: 400,
    message: 'The request does not match the schema; see details for each offending field.',
  },
  TP_ERR_INVALID_JSON: {
    status: 400,
    message: 'The body is not valid JSON; send a well-formed JSON document.',
  },
  TP_ERR_CURSOR_INVALID: {
    status: 400,
    message: 'The cursor is not one this list issued; restart the listing without a cursor.',
  },
  TP_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'The Content-Type or Content-Encoding is not supported here; send application/json.',
  },
  TP_ERR_PAYLOAD_TOO_LARGE: {
    status: 413,
    message: 'The body is larger than this endpoint accepts; send less.',
  },
  TP_ERR_NOT_FOUND: { status: 404, message: 'No such resource, or it is not visible to you.' },
  TP_ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed on this resource.' },
  TP_ERR_CONFLICT: { status: 409, message: 'The resource changed or already exists; reload and try again.' },
  TP_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; retry after the time in Retry-After.' },
  TP_ERR_BAD_REQUEST: {
    status: 400,
    message:
      'The request is not valid HTTP/1.1 (request line, URL encoding, header or framing); check the client or the proxy in front of Touchpoint.',
  },
  TP_ERR_REQUEST_TIMEOUT: {
    status: 408,
    message:
      'The request line and headers did not arrive in time (TOUCHPOINT_HEADERS_TIMEOUT_MS); send the whole request without pauses.',
  },
  TP_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    message:
      'The URL and headers together are larger than 16 KB; send a shorter URL or fewer, smaller headers.',
  },
  TP_ERR_INTERNAL: {
    status: 500,
    message: 'An unexpected error occurred; retry, and report the request id if it persists.',
  },
  TP_ERR_UNAVAILABLE: {
    status: 503,
    message: 'The service is temporarily unable to handle the request; retry after the time in Retry-After.',
  },

  // authentication and authorization
  TP_ERR_AUTH_REQUIRED: {
    status: 401,
    message: 'Sign in, or send an API token as "Authorization: Bearer <token>".',
  },
  TP_ERR_FORBIDDEN: {
    status: 403,
    message: 'You lack the permission this action needs; ask a project admin.',
  },
  TP_ERR_AUTH_INVALID_CREDENTIALS: {
    status: 401,
    message: 'The e-mail or password is wrong; check both and try again.',
  },
  TP_ERR_AUTH_LOCKED: {
    status: 429,
    message: 'Too many failed sign-ins; wait for the time in Retry-After, then try again.',
  },
  TP_ERR_AUTH_CSRF: {
    status: 403,
    message: 'The x-csrf-token header is missing or wrong; reload the console and retry.',
  },
  TP_ERR_AUTH_PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    message: 'Set a new password first (POST /api/v1/auth/password), then retry.',
  },
  TP_ERR_AUTH_TOKEN_INVALID: {
    status: 401,
    message: 'The API token is unknown, expired or revoked; create a new token.',
  },
  TP_ERR_AUTH_TOKEN_IN_QUERY: {
    status: 400,
    message: 'Tokens are never accepted in the URL; send "Authorization: Bearer <token>" instead.',
  },
  TP_ERR_AUTH_LINK_INVALID: {
    status: 400,
    message: 'This set-password link is unknown, used or expired; ask a project admin for a new one.',
  },
  TP_ERR_AUTH_PASSWORD_COMMON: {
    status: 400,
    message:
      'That password is one of the most common ones and is guessed first; choose a less predictable one (a few unrelated words work well).',
  },
  TP_ERR_AUTH_PASSWORD_IS_EMAIL: {
    status: 400,
    message: 'The password must not be your e-mail address or its name part; choose something else.',
  },

  // store and start-up
  TP_ERR_STORE_UNAVAILABLE: {
    status: 503,
    message: 'The database is not reachable; check DATABASE_URL and the database server.',
  },
  TP_ERR_STORE_NEWER_SCHEMA: {
    status: 500,
    message: 'The database was migrated by a newer Touchpoint; run that version or restore a backup.',
  },
  TP_ERR_CONFIG_INVALID: { status: 500, message: 'A configuration value is invalid; fix the named key.' },
  TP_ERR_MASTER_KEY_MISSING: {
    status: 500,
    message:
      'No master key: set TOUCHPOINT_MASTER_KEY (32 bytes, base64) or restore the data folder key file.',
  },
  TP_ERR_MASTER_KEY_MISMATCH: {
    status: 500,
    message: 'The master key cannot decrypt this database; start with the key that encrypted it.',
  },

  // secrets
  TP_ERR_SECRET_UNREADABLE: {
    status: 500,
    message: 'A stored secret failed authentication while decrypting; set it again.',
  },
  TP_ERR_SECRET_MASKED_VALUE: {
    status: 400,
    message: 'A masked secret was sent back; send the new secret in full, or omit the field to keep it.',
  },

  // tenancy
  TP_ERR_TENANCY_LAST_ADMIN: {
    status: 409,
    message: 'A project needs at least one project admin; make someone else project admin first.',
  },
  TP_ERR_TENANCY_NAME_TAKEN: {
    status: 409,
    message: 'That name is already used in this project; choose another.',
  },
  TP_ERR_TENANCY_MEMBER_EXISTS: {
    status: 409,
    message: 'That account is already a member; change its role instead of adding it again.',
  },
  TP_ERR_TENANCY_INVITATION_INVALID: {
    status: 404,
    message: 'This invitation is unknown, used, revoked or expired; ask a project admin for a new one.',
  },
  TP_ERR_TENANCY_INVITATION_OTHER_ACCOUNT: {
    status: 403,
    message: 'This invitation is for another e-mail address; sign in with the invited account to accept it.',
  },
  TP_ERR_TENANCY_INVITATION_SIGN_IN: {
    status: 409,
    message:
      'An account with the invited e-mail already exists: sign in with it, then accept the invitation (POST /api/v1/invitations/{token}/accept).',
  },
  TP_ERR_TENANCY_PERMISSION_NOT_HELD: {
    status: 403,
    message: 'You can only grant permissions and roles you hold yourself; remove the ones listed in details.',
  },
  TP_ERR_SOURCE_APP_TYPE_IMMUTABLE: {
    status: 400,
    message: "An app's type never changes; create a new app for another type.",
  },
  TP_ERR_SOURCE_PLATFORM_NOT_ALLOWED: {
    status: 400,
    message: 'That platform does not fit the app type; pick one listed in details.allowed.',
  },
  TP_ERR_SOURCE_SECRET_NOT_EDITABLE: {
    status: 400,
    message: 'The master secret cannot be set or cleared by hand; rotate it to get a new one.',
  },
  TP_ERR_PROFILE_MERGE_CONFLICT: {
    status: 409,
    message:
      'The event links profiles that hold different values of a unique ID type; they were not merged. The event is stored.',
  },
  TP_ERR_PROFILE_ID_TYPE_RESERVED: {
    status: 400,
    message: 'That ID type name is built in or reserved; choose another name.',
  },
  TP_ERR_ERASURE_ID_TYPE_UNKNOWN: {
    status: 400,
    message:
      'An item names an ID type this project does not have (details.index, details.id_type); use tp_uid, a built-in ID type or one declared under ID types. Nothing was erased.',
  },
  TP_ERR_TENANCY_ACCOUNT_EXISTS: { status: 409, message: 'An account with that e-mail already exists.' },
  TP_ERR_TENANCY_LAST_INSTANCE_ADMIN: {
    status: 409,
    message: 'The instance needs at least one instance admin; make another account instance admin first.',
  },
  TP_ERR_TENANCY_OWN_INSTANCE_ADMIN: {
    status: 403,
    message: 'You cannot withdraw your own instance admin rights; ask another instance admin to do it.',
  },

  // outbound targets (customer URLs reached through the guarded client)
  TP_ERR_TARGET_INVALID: {
    status: 400,
    message:
      'The URL is not a valid target: use a public host name or address with a port from 1 to 65535, or add its range to TOUCHPOINT_ALLOW_TARGETS.',
  },
  TP_ERR_URL_SCHEME_INVALID: {
    status: 400,
    message: 'Only http:// and https:// URLs can be used; change the URL scheme.',
  },

  // ingest (SPEC §2.1); per-event codes appear in an ingest answer's `rejected` list
  TP_ERR_INGEST_KEY_INVALID: {
    status: 401,
    message:
      'The app key is missing, unknown or belongs to a deleted data source; copy the key from the data source page.',
  },
  TP_ERR_INGEST_SECRET_REQUIRED: {
    status: 401,
    message:
      'This data source requires its master secret; send it as the Basic password or as writeKey "app_key:master_secret".',
  },
  TP_ERR_INGEST_SECRET_MISMATCH: {
    status: 401,
    message: 'The master secret is wrong or was rotated; copy the current one from the data source page.',
  },
  TP_ERR_INGEST_SOURCE_DISABLED: {
    status: 403,
    message: 'The data source is disabled; nothing was stored. Enable it on the data source page.',
  },
  TP_ERR_INGEST_ORIGIN_FORBIDDEN: {
    status: 403,
    message: "The page's Origin is not among the data source's web origins; add it to the web platform.",
  },
  TP_ERR_INGEST_MALFORMED: {
    status: 400,
    message: "The body is not a request of this endpoint's format; see details and the ingest guide.",
  },
  TP_ERR_INGEST_INVALID_ENCODING: {
    status: 400,
    message: 'The body could not be decompressed; send a complete gzip stream or drop the encoding header.',
  },
  TP_ERR_INGEST_UNSUPPORTED_ENCODING: {
    status: 415,
    message: 'Unknown Content-Encoding or compress header; send gzip, deflate, br, zstd or none.',
  },
  TP_ERR_INGEST_BODY_TOO_LARGE: {
    status: 413,
    message: 'The request body is larger than an ingest request may be; split the batch.',
  },
  TP_ERR_INGEST_DECODED_TOO_LARGE: {
    status: 413,
    message: 'The body is larger than 500 KB once decompressed; split the batch.',
  },
  TP_ERR_INGEST_TOO_MANY_EVENTS: {
    status: 413,
    message: 'The request holds more events than allowed (details.limit); split the batch.',
  },
  TP_ERR_INGEST_BODY_TIMEOUT: {
    status: 408,
    message: 'The body did not arrive in time; send the whole request without pauses.',
  },
  TP_ERR_INGEST_RATE_LIMITED: {
    status: 429,
    message: "The data source's event rate limit is exceeded; retry after the time in Retry-After.",
  },
  TP_ERR_INGEST_OVERLOADED: {
    status: 503,
    message: 'Ingest is saturated; nothing was stored. Retry after the time in Retry-After.',
  },
  TP_ERR_INGEST_STORE_UNAVAILABLE: {
    status: 503,
    message:
      'The database did not commit the events; nothing was acknowledged. Retry after the time in Retry-After.',
  },
  TP_ERR_INGEST_INVALID_STRING: {
    status: 400,
    message:
      'A string or key holds U+0000 or a lone UTF-16 surrogate; fix the encoding of the value named in the message.',
  },
  TP_ERR_INGEST_EVENT_TOO_LARGE: {
    status: 400,
    message: 'One event is larger than 32 KB; send fewer or shorter properties.',
  },
  TP_ERR_INGEST_EVENT_TOO_DEEP: {
    status: 400,
    message: 'The event nests objects or arrays too deeply; flatten its properties.',
  },
  TP_ERR_INGEST_EVENT_INVALID: {
    status: 400,
    message: 'The event misses a required field or has a field of the wrong type; the message names it.',
  },
  TP_ERR_INGEST_EVENT_TYPE_UNKNOWN: {
    status: 400,
    message: 'The event type is not one this endpoint knows; see the ingest guide for the list.',
  },
  TP_ERR_INGEST_INVALID_KEY: {
    status: 400,
    message:
      'A property key is empty, longer than 255 characters or starts with the reserved "#"; rename it.',
  },
  TP_ERR_INGEST_TIME_OUT_OF_RANGE: {
    status: 400,
    message:
      'The event time is unreadable, before 1971 or more than an hour in the future; fix the sender clock or format.',
  },
  TP_ERR_INGEST_INVALID_UTF8: {
    status: 400,
    message:
      'The text is not valid UTF-8 (a string was sent in another encoding); send UTF-8. The message gives the byte offset in the decoded body.',
  },
  TP_ERR_INGEST_NUMBER_OUT_OF_RANGE: {
    status: 400,
    message:
      'A number is beyond the range of a double (such as 1e400) and cannot be stored as sent; send it as a string or scale it.',
  },

  // channels (SPEC §3.1)
  TP_ERR_CHANNEL_NAME_TAKEN: {
    status: 409,
    message: 'A channel with that name (ignoring case) already exists in this project; choose another.',
  },
  TP_ERR_CHANNEL_KIND_IMMUTABLE: {
    status: 400,
    message: "A channel's kind never changes; create a new channel of the other kind.",
  },
  TP_ERR_CHANNEL_EDIT_WHILE_ENABLED: {
    status: 409,
    message:
      'A channel can be edited only while disabled; disable it first (rotating the signing key and updating credentials work any time).',
  },
  TP_ERR_CHANNEL_IN_USE: {
    status: 409,
    message:
      'Campaigns that are running, paused, scheduled or awaiting publication or approval use this channel; stop them first (listed in details.campaigns).',
  },
  TP_ERR_CHANNEL_DELETE_WHILE_ENABLED: {
    status: 409,
    message: 'Only a disabled channel can be deleted; disable it first.',
  },
  TP_ERR_CHANNEL_DISABLED: {
    status: 409,
    message: 'The channel is disabled; ask a project admin to enable it.',
  },
  TP_ERR_CHANNEL_NOT_AUTHORIZED: {
    status: 403,
    message: 'This workspace is not authorized to use the channel; ask a project admin to authorize it.',
  },
  TP_ERR_CHANNEL_NO_USAGE_GRANT: {
    status: 403,
    message: 'You have no usage grant for this channel; ask an admin to grant it to you.',
  },
  TP_ERR_CHANNEL_URL_CREDENTIALS: {
    status: 400,
    message:
      'A channel URL must not carry a user name or password; use auth "token" for the endpoint secret.',
  },
  TP_ERR_CHANNEL_SIGNATURE_V2_OFF: {
    status: 409,
    message: 'Signature v2 is off for this channel; turn it on (while disabled) before rotating its key.',
  },
  TP_ERR_CHANNEL_ROTATION_IN_PROGRESS: {
    status: 409,
    message:
      'The previous signing key is still valid (rotation overlap); wait until details.previous_key_expires_at or send force=true to end it now.',
  },
  TP_ERR_CHANNEL_AUTH_NONE: {
    status: 409,
    message: 'This channel does not sign with a token (auth "none"); change auth while it is disabled.',
  },
  TP_ERR_CHANNEL_TEST_PROFILE_NOT_FOUND: {
    status: 422,
    message: 'No profile has that ID; check the ID type and test ID, or type the user properties by hand.',
  },
  TP_ERR_CHANNEL_TEST_NO_SEND_ID: {
    status: 422,
    message:
      "The test user has no value of the channel's send ID type; pick a user who has one or type it by hand.",
  },
  TP_ERR_CHANNEL_TEST_BY_ID_UNAVAILABLE: {
    status: 501,
    message: 'Looking up test users by ID is not available on this server; type the user properties by hand.',
  },
  TP_ERR_CHANNEL_ENUM_OPTIONS_UNAVAILABLE: {
    status: 502,
    message:
      'The enum options URL did not answer a valid option list and none was fetched before; check the URL and its answer format.',
  },
  // audiences (SPEC §5)
  TP_ERR_AUDIENCE_INVALID: {
    status: 400,
    message: 'The audience conditions are malformed at details.path (details.reason); fix that part.',
  },
  TP_ERR_AUDIENCE_VALUE_INVALID: {
    status: 400,
    message: 'A condition value at details.path does not fit its operator (details.reason); fix the value.',
  },
  TP_ERR_AUDIENCE_UNKNOWN_PROPERTY: {
    status: 400,
    message:
      'No profile of this project has the property named at details.path; pick one from the property list.',
  },
  TP_ERR_AUDIENCE_UNKNOWN_EVENT: {
    status: 400,
    message: 'This project has no event of that name (details.path); pick one from event management.',
  },
  TP_ERR_AUDIENCE_UNKNOWN_EVENT_PROPERTY: {
    status: 400,
    message: 'The event has no property of that name (details.path); pick one of its observed properties.',
  },
  TP_ERR_AUDIENCE_OPERATOR_MISMATCH: {
    status: 400,
    message:
      "The operator at details.path does not apply to the property's observed types (details.observed_types); pick another operator.",
  },
  TP_ERR_AUDIENCE_TOO_COMPLEX: {
    status: 400,
    message:
      'The audience has too many conditions, filters or nesting levels (limit in details); simplify it.',
  },
  TP_ERR_AUDIENCE_NAME_TAKEN: {
    status: 409,
    message: 'This workspace already has an audience with that name; choose another name.',
  },
  TP_ERR_AUDIENCE_IN_USE: {
    status: 409,
    message:
      'Campaigns awaiting approval or publication, scheduled, running or paused use this audience; stop them or change their audience first (listed in details.campaigns).',
  },

  // campaigns (SPEC §5)
  TP_ERR_CAMPAIGN_STATE: {
    status: 409,
    message:
      "The campaign's state does not allow this; details.state is its state and details.allowed the actions it allows now.",
  },
  TP_ERR_CAMPAIGN_SELF_APPROVAL: {
    status: 403,
    message: 'Nobody approves their own submission; another member with campaign.approve must approve it.',
  },
  TP_ERR_CAMPAIGN_NAME_TAKEN: {
    status: 409,
    message: 'This workspace already has a campaign with that name; choose another name.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** A failure with a registered code; the API turns it into the standard error body. */
export class TouchpointError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds for a Retry-After header (429/503). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    details?: Record<string, unknown>,
    options?: { message?: string; retryAfter?: number; cause?: unknown },
  ) {
    super(options?.message ?? errorCodes[code].message, { cause: options?.cause });
    this.name = 'TouchpointError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.details = details;
    this.retryAfter = options?.retryAfter;
  }
}

export function isTouchpointError(error: unknown, code?: ErrorCode): error is TouchpointError {
  return error instanceof TouchpointError && (code === undefined || error.code === code);
}

/** The markdown table in docs/errors.md, rendered from the registry. */
export function renderErrorDocs(): string {
  const rows = Object.entries(errorCodes).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.message} |`);
  return [
    '# Error codes',
    '',
    'Every error answer of the HTTP API has the body `{"error":{"code","message","details"}}`.',
    'This table is generated from `src/errors.ts` by `npm run docs`; a test keeps it in sync.',
    '',
    '| code | HTTP status | meaning and what to do |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
