import { isAbsolute, resolve } from 'node:path';
import { TouchpointError } from '../errors.ts';
import { FIRST_ADMIN_EMAIL } from '../tenancy/model.ts';
import { describePasswordProblem, passwordProblem } from '../tenancy/password-policy.ts';
import { parseRetrySchedule } from '../delivery/retry-schedule.ts';
import { parseCidrList, type Cidr } from './cidr.ts';

export type Environment = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The validated, frozen configuration every module reads. Built only by {@link loadConfig}. */
export interface Config {
  readonly env: Environment;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  /** Whether TOUCHPOINT_PUBLIC_URL was set; otherwise links use the address a request came to. */
  readonly publicUrlConfigured: boolean;
  readonly dataDir: string;
  /** `sqlite` with a file path, or `postgres` with a connection URL. */
  readonly database:
    { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };
  readonly masterKey: Buffer | undefined;
  readonly logLevel: LogLevel;
  readonly sqliteBusyTimeoutMs: number;
  readonly pgPoolMax: number;
  /** SQLite file size cap in pages (0: none). */
  readonly sqliteMaxPages: number;
  readonly pgSchema: string;
  readonly apiBodyLimitBytes: number;
  readonly allowTargets: readonly Cidr[];
  readonly trustProxy: boolean;
  readonly testFaults: boolean;
  /** A process-wide fault point for the durability tests (only with `testFaults`). */
  readonly testFault:
    | 'none'
    | 'profiles-before-commit'
    | 'delivery-pause-before-complete'
    | 'send-exit-after-commit'
    | 'campaign-exit-mid-render'
    | 'triggers-exit-before-commit';
  /** How long refused, dry-run and flagged events stay in the verify buffer. */
  readonly verifyRetentionHours: number;
  /** How long finished messages, their attempts and the delivery charts' minutes are kept. */
  readonly messageRetentionDays: number;
  /** How long an erased user's identities are kept from re-creating a profile from older events. */
  readonly erasureBlockDays: number;
  /** SIGTERM: how long background work (profile applier, dispatcher) may take to stop. */
  readonly shutdownDeadlineMs: number;
  /** Campaign cron expressions may carry a seconds field (six fields; tests). */
  readonly campaignCronSeconds: boolean;
  /** How long a worker owns a campaign run it renders without checkpointing. */
  readonly campaignLeaseMs: number;
  /** How often the campaign scheduler looks for due campaigns when idle. */
  readonly campaignPollMs: number;
  /** Ingest: events per second per data source (0 = no limit); a source's own limit overrides it. */
  readonly ingestRateLimit: number;
  /** Ingest: events waiting for the group commit beyond which requests answer 503. */
  readonly ingestQueueMaxEvents: number;
  /** Ingest: time allowed to receive a request body. */
  readonly ingestBodyTimeoutMs: number;
  /** Time allowed to receive a request's line and headers (slowloris). */
  readonly headersTimeoutMs: number;
  /** Delivery: delays between attempts (SPEC §4 by default). */
  readonly deliveryRetrySchedule: readonly number[];
  /** Delivery: requests in flight per process, across channels. */
  readonly deliveryConcurrency: number;
  /** Delivery: requests in flight per channel per process. */
  readonly deliveryChannelConcurrency: number;
  /** Delivery: how often a dispatcher looks for due work. */
  readonly deliveryPollMs: number;
  /** Delivery: added to a request's timeout to make its lease. */
  readonly deliveryLeaseMarginMs: number;
  /** Delivery: SIGTERM lets in-flight requests finish this long before releasing their leases. */
  readonly deliveryDrainMs: number;
  /** Delivery: a channel failing this long (with enough failures) becomes unhealthy. */
  readonly deliveryUnhealthyAfterMs: number;
  readonly deliveryUnhealthyFailures: number;
  readonly deliveryRateMarginMs: number;
  /** Password of the first-run instance admin, set by scripts; undefined: a random one is printed. */
  readonly adminPassword: string | undefined;
}

interface KeySpec<T> {
  readonly key: string;
  readonly doc: string;
  readonly default: string;
  readonly parse: (raw: string, env: NodeJS.ProcessEnv) => T;
}

function fail(key: string, why: string, raw: string, secret = false): never {
  const shown = secret ? '' : ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw)})`;
  throw new TouchpointError('TP_ERR_CONFIG_INVALID', { key }, { message: `${key} ${why}${shown}` });
}

function integer(key: string, min: number, max: number) {
  return (raw: string): number => {
    if (!/^-?\d+$/.test(raw.trim())) fail(key, `must be an integer from ${min} to ${max}`, raw);
    const n = Number(raw.trim());
    if (n < min || n > max) fail(key, `must be an integer from ${min} to ${max}`, raw);
    return n;
  };
}

function oneOf<T extends string>(key: string, values: readonly T[]) {
  return (raw: string): T => {
    const v = raw.trim().toLowerCase();
    if (!(values as readonly string[]).includes(v)) fail(key, `must be one of ${values.join(', ')}`, raw);
    return v as T;
  };
}

function bool(key: string) {
  return (raw: string): boolean => {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
    return fail(key, 'must be true or false', raw);
  };
}

/** Decodes a 32-byte key given as base64 (44 chars) or hex (64 chars). */
export function parseMasterKey(raw: string): Buffer {
  const v = raw.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(v)) key = Buffer.from(v, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) key = Buffer.from(v, 'base64');
  if (key?.length !== 32)
    fail('TOUCHPOINT_MASTER_KEY', 'must be 32 bytes as base64 or 64 hex digits', raw, true);
  return key;
}

const specs = {
  env: {
    key: 'TOUCHPOINT_ENV',
    doc: '`development`, `production` or `test`. Production refuses to start without `TOUCHPOINT_MASTER_KEY`.',
    default: 'development',
    parse: oneOf('TOUCHPOINT_ENV', ['development', 'production', 'test'] as const),
  },
  host: {
    key: 'TOUCHPOINT_HOST',
    doc: 'Address the HTTP server listens on.',
    default: '127.0.0.1',
    parse: (raw: string) => {
      if (!/^[A-Za-z0-9.:[\]-]+$/.test(raw))
        fail('TOUCHPOINT_HOST', 'must be a host name or IP address', raw);
      return raw;
    },
  },
  port: {
    key: 'TOUCHPOINT_PORT',
    doc: 'TCP port of the HTTP server (0 picks a free port).',
    default: '8080',
    parse: integer('TOUCHPOINT_PORT', 0, 65535),
  },
  publicUrl: {
    key: 'TOUCHPOINT_PUBLIC_URL',
    doc: 'The URL SDKs and browsers use to reach this server, shown in integration prompts. Default: `http://<host>:<port>`.',
    default: '',
    parse: (raw: string) => {
      if (raw === '') return '';
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return fail('TOUCHPOINT_PUBLIC_URL', 'must be an absolute http(s) URL', raw);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        fail('TOUCHPOINT_PUBLIC_URL', 'must be an absolute http(s) URL', raw);
      return raw.replace(/\/+$/, '');
    },
  },
  dataDir: {
    key: 'TOUCHPOINT_DATA_DIR',
    doc: 'Folder for the SQLite database and the generated master key (embedded mode).',
    default: './data',
    parse: (raw: string) => {
      if (raw.trim() === '') fail('TOUCHPOINT_DATA_DIR', 'must not be empty', raw);
      return isAbsolute(raw) ? raw : resolve(raw);
    },
  },
  databaseUrl: {
    key: 'DATABASE_URL',
    doc: 'Empty for the embedded SQLite file in the data folder; `sqlite:<path>` for another file; `postgres://user:pass@host:port/db` for PostgreSQL.',
    default: '',
    parse: (raw: string) => raw.trim(),
  },
  masterKey: {
    key: 'TOUCHPOINT_MASTER_KEY',
    doc: 'The 32-byte key (base64 or hex) that encrypts stored secrets. Generated into `<data>/master.key` (mode 0600) in development when absent; required in production.',
    default: '',
    parse: (raw: string) => (raw.trim() === '' ? undefined : parseMasterKey(raw)),
  },
  logLevel: {
    key: 'TOUCHPOINT_LOG_LEVEL',
    doc: 'pino log level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
    default: 'info',
    parse: oneOf('TOUCHPOINT_LOG_LEVEL', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ] as const),
  },
  sqliteBusyTimeoutMs: {
    key: 'TOUCHPOINT_SQLITE_BUSY_TIMEOUT_MS',
    doc: 'How long a SQLite write waits for another process holding the write lock.',
    default: '5000',
    parse: integer('TOUCHPOINT_SQLITE_BUSY_TIMEOUT_MS', 0, 600000),
  },
  sqliteMaxPages: {
    key: 'TOUCHPOINT_SQLITE_MAX_PAGES',
    doc: 'Caps the SQLite file at this many pages (4 KiB each; 0: no cap). When full, ingest answers 503 and nothing is acknowledged.',
    default: '0',
    parse: integer('TOUCHPOINT_SQLITE_MAX_PAGES', 0, 2147483647),
  },
  pgPoolMax: {
    key: 'TOUCHPOINT_PG_POOL_MAX',
    doc: 'Maximum PostgreSQL connections per process.',
    default: '10',
    parse: integer('TOUCHPOINT_PG_POOL_MAX', 1, 1000),
  },
  pgSchema: {
    key: 'TOUCHPOINT_PG_SCHEMA',
    doc: "PostgreSQL schema holding Touchpoint's tables (created when missing).",
    default: 'public',
    parse: (raw: string) => {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw))
        fail('TOUCHPOINT_PG_SCHEMA', 'must be a lower-case SQL identifier', raw);
      return raw;
    },
  },
  apiBodyLimitBytes: {
    key: 'TOUCHPOINT_API_BODY_LIMIT',
    doc: 'Largest admin API request body in bytes.',
    default: '1048576',
    parse: integer('TOUCHPOINT_API_BODY_LIMIT', 1024, 104857600),
  },
  allowTargets: {
    key: 'TOUCHPOINT_ALLOW_TARGETS',
    doc: 'Comma-separated CIDR list of private or loopback addresses outbound requests may reach (e.g. `127.0.0.1/32` for the mock receiver). Empty: only public addresses.',
    default: '',
    parse: (raw: string) => {
      try {
        return parseCidrList(raw);
      } catch (error) {
        return fail('TOUCHPOINT_ALLOW_TARGETS', (error as Error).message, raw);
      }
    },
  },
  trustProxy: {
    key: 'TOUCHPOINT_TRUST_PROXY',
    doc: 'Trust `X-Forwarded-*` headers from a reverse proxy (client IP in audit entries, https detection).',
    default: 'false',
    parse: bool('TOUCHPOINT_TRUST_PROXY'),
  },
  verifyRetentionHours: {
    key: 'TOUCHPOINT_VERIFY_RETENTION_HOURS',
    doc: 'How long the verify view keeps refused, dry-run and flagged events (accepted events live in the event store).',
    default: '72',
    parse: integer('TOUCHPOINT_VERIFY_RETENTION_HOURS', 1, 87600),
  },
  messageRetentionDays: {
    key: 'TOUCHPOINT_MESSAGE_RETENTION_DAYS',
    doc: 'How long finished messages (`delivered`, `failed`, `dead`, `sent`) and their attempts are kept after they finished, and how long the delivery charts keep their per-minute counts; the worker prunes older ones hourly, 500 rows per transaction. Queued, sending and held messages are never pruned.',
    default: '30',
    parse: integer('TOUCHPOINT_MESSAGE_RETENTION_DAYS', 1, 3650),
  },
  erasureBlockDays: {
    key: 'TOUCHPOINT_ERASURE_BLOCK_DAYS',
    doc: 'After a user is erased, for how many days events that name one of their identities and are older than the erasure (received before it, still waiting for the profile applier, or sent again later with an earlier event time) are dropped instead of re-creating the profile. New events after the erasure always create a fresh profile. Only keyed digests of the identities are kept, and pruned after this period.',
    default: '30',
    parse: integer('TOUCHPOINT_ERASURE_BLOCK_DAYS', 1, 3650),
  },
  shutdownDeadlineMs: {
    key: 'TOUCHPOINT_SHUTDOWN_DEADLINE_MS',
    doc: 'On SIGTERM, how long background work may take to stop: the profile applier ends after the window in progress (the rest of a backlog waits for the next start, which resumes from its cursor), and no job is waited for longer than this.',
    default: '10000',
    parse: integer('TOUCHPOINT_SHUTDOWN_DEADLINE_MS', 0, 600000),
  },
  campaignCronSeconds: {
    key: 'TOUCHPOINT_CAMPAIGN_CRON_SECONDS',
    doc: 'Allows six-field campaign cron expressions whose first field is seconds (e.g. `*/5 * * * * *`). Off by default: a campaign recurs at most once a minute.',
    default: 'false',
    parse: bool('TOUCHPOINT_CAMPAIGN_CRON_SECONDS'),
  },
  campaignLeaseMs: {
    key: 'TOUCHPOINT_CAMPAIGN_LEASE_MS',
    doc: 'How long a worker owns a campaign run it is rendering without writing a checkpoint; after a crash another worker resumes the run from its last checkpoint once this has passed.',
    default: '60000',
    parse: integer('TOUCHPOINT_CAMPAIGN_LEASE_MS', 1000, 3600000),
  },
  campaignPollMs: {
    key: 'TOUCHPOINT_CAMPAIGN_POLL_MS',
    doc: 'How often the campaign scheduler looks for due campaigns and finished runs when idle.',
    default: '1000',
    parse: integer('TOUCHPOINT_CAMPAIGN_POLL_MS', 50, 60000),
  },
  testFaults: {
    key: 'TOUCHPOINT_TEST_FAULTS',
    doc: 'Enables fault-injection points used by the durability tests. Never set in production.',
    default: 'false',
    parse: bool('TOUCHPOINT_TEST_FAULTS'),
  },
  testFault: {
    key: 'TOUCHPOINT_TEST_FAULT',
    doc: "With TOUCHPOINT_TEST_FAULTS: a process-wide fault point (`profiles-before-commit` exits the profile applier before its commit; `delivery-pause-before-complete` pauses a dispatcher 3 s between a receiver's answer and the completion; `send-exit-after-commit` kills the process with SIGKILL as soon as a send's messages are committed, before any delivery attempt; `campaign-exit-mid-render` kills the process with SIGKILL after a campaign run's third page commits; `triggers-exit-before-commit` kills it with SIGKILL inside the event-trigger worker's third transaction, after its messages are written, before the commit). Never set in production.",
    default: 'none',
    parse: oneOf('TOUCHPOINT_TEST_FAULT', [
      'none',
      'profiles-before-commit',
      'delivery-pause-before-complete',
      'send-exit-after-commit',
      'campaign-exit-mid-render',
      'triggers-exit-before-commit',
    ] as const),
  },
  ingestRateLimit: {
    key: 'TOUCHPOINT_INGEST_RATE_LIMIT',
    doc: "Default events per second each data source may send (0: no limit); a data source's own limit overrides it. Over it, ingest answers 429 with Retry-After.",
    default: '0',
    parse: integer('TOUCHPOINT_INGEST_RATE_LIMIT', 0, 10000000),
  },
  ingestQueueMaxEvents: {
    key: 'TOUCHPOINT_INGEST_QUEUE_MAX_EVENTS',
    doc: 'Events waiting for the database commit beyond which ingest sheds load with 503 and Retry-After, before reading request bodies.',
    default: '50000',
    parse: integer('TOUCHPOINT_INGEST_QUEUE_MAX_EVENTS', 1, 100000000),
  },
  ingestBodyTimeoutMs: {
    key: 'TOUCHPOINT_INGEST_BODY_TIMEOUT_MS',
    doc: 'Time an ingest request may take to send its body; slower requests get 408 and the connection is closed.',
    default: '10000',
    parse: integer('TOUCHPOINT_INGEST_BODY_TIMEOUT_MS', 10, 600000),
  },
  headersTimeoutMs: {
    key: 'TOUCHPOINT_HEADERS_TIMEOUT_MS',
    doc: 'Time a client may take to send a request line and headers; slower connections get 408 `TP_ERR_REQUEST_TIMEOUT` and are closed.',
    default: '60000',
    parse: integer('TOUCHPOINT_HEADERS_TIMEOUT_MS', 100, 600000),
  },
  deliveryRetrySchedule: {
    key: 'TOUCHPOINT_DELIVERY_RETRY_SCHEDULE',
    doc: 'Delays before each retry of a failed message, comma-separated (`250ms`, `5s`, `2m`, `6h`); after the last one fails the message is `dead`. SPEC §4 default; ±20 % jitter applies; `Retry-After` (up to 1 h) is a floor.',
    default: '5s,30s,2m,10m,30m,2h,6h,12h',
    parse: (raw: string) => {
      try {
        return parseRetrySchedule(raw);
      } catch (error) {
        return fail('TOUCHPOINT_DELIVERY_RETRY_SCHEDULE', (error as Error).message, raw);
      }
    },
  },
  deliveryConcurrency: {
    key: 'TOUCHPOINT_DELIVERY_CONCURRENCY',
    doc: 'Delivery requests in flight at once per worker process, across channels.',
    default: '32',
    parse: integer('TOUCHPOINT_DELIVERY_CONCURRENCY', 1, 10000),
  },
  deliveryChannelConcurrency: {
    key: 'TOUCHPOINT_DELIVERY_CHANNEL_CONCURRENCY',
    doc: 'Delivery requests in flight at once per channel per worker process, so a slow channel never takes every slot.',
    default: '4',
    parse: integer('TOUCHPOINT_DELIVERY_CHANNEL_CONCURRENCY', 1, 1000),
  },
  deliveryPollMs: {
    key: 'TOUCHPOINT_DELIVERY_POLL_MS',
    doc: 'How often a dispatcher looks for due messages (retries, other processes’ sends); sends in the same process wake it at once.',
    default: '500',
    parse: integer('TOUCHPOINT_DELIVERY_POLL_MS', 10, 60000),
  },
  deliveryLeaseMarginMs: {
    key: 'TOUCHPOINT_DELIVERY_LEASE_MARGIN_MS',
    doc: 'Added to a request’s timeout to make the lease on its messages; a dispatcher that dies mid-request loses its messages to another after the lease.',
    default: '30000',
    parse: integer('TOUCHPOINT_DELIVERY_LEASE_MARGIN_MS', 100, 3600000),
  },
  deliveryDrainMs: {
    key: 'TOUCHPOINT_DELIVERY_DRAIN_MS',
    doc: 'On SIGTERM, how long in-flight delivery requests may finish before their messages are released for the next start.',
    default: '10000',
    parse: integer('TOUCHPOINT_DELIVERY_DRAIN_MS', 0, 600000),
  },
  deliveryUnhealthyAfterMs: {
    key: 'TOUCHPOINT_DELIVERY_UNHEALTHY_AFTER_MS',
    doc: 'A channel whose requests have failed this long (with at least TOUCHPOINT_DELIVERY_UNHEALTHY_FAILURES failures, no success) becomes unhealthy and its messages are held until Resume (SPEC §4: 6 h).',
    default: '21600000',
    parse: integer('TOUCHPOINT_DELIVERY_UNHEALTHY_AFTER_MS', 0, 604800000),
  },
  deliveryUnhealthyFailures: {
    key: 'TOUCHPOINT_DELIVERY_UNHEALTHY_FAILURES',
    doc: 'Failed requests in a row that, over TOUCHPOINT_DELIVERY_UNHEALTHY_AFTER_MS, make a channel unhealthy (SPEC §4: 5).',
    default: '5',
    parse: integer('TOUCHPOINT_DELIVERY_UNHEALTHY_FAILURES', 1, 100000),
  },
  deliveryRateMarginMs: {
    key: 'TOUCHPOINT_DELIVERY_RATE_MARGIN_MS',
    doc: "A channel's `rate_limit` R spaces its request starts by (1000 + this) / R ms across all workers, so a start that leaves up to this much late (a busy event loop, a new connection) still keeps every sliding second within R. Larger is safer on a busy machine, smaller is closer to R per second.",
    default: '20',
    parse: integer('TOUCHPOINT_DELIVERY_RATE_MARGIN_MS', 0, 500),
  },
  adminPassword: {
    key: 'TOUCHPOINT_ADMIN_PASSWORD',
    doc: `For scripts and CI: the password of the instance admin \`${FIRST_ADMIN_EMAIL}\` that the first embedded start (\`npm start\`, \`serve --embedded\`) creates, with no forced change at first sign-in, so \`touchpoint token create --as ${FIRST_ADMIN_EMAIL}\` works at once. Empty: a random password is printed once and must be changed at first sign-in. Ignored once the account exists. The password rules apply: a weak value stops start-up.`,
    default: '',
    parse: (raw: string) => {
      if (raw === '') return undefined;
      const problem = passwordProblem(raw, FIRST_ADMIN_EMAIL);
      if (problem) fail('TOUCHPOINT_ADMIN_PASSWORD', describePasswordProblem(problem), raw, true);
      return raw;
    },
  },
} satisfies Record<string, KeySpec<unknown>>;

/** Every configuration key with its default and meaning, for docs/configuration.md. */
export const configKeys: readonly { key: string; default: string; doc: string }[] = Object.values(specs).map(
  ({ key, default: d, doc }) => ({ key, default: d, doc }),
);

function parseDatabase(raw: string, dataDir: string): Config['database'] {
  if (raw === '') return { kind: 'sqlite', path: resolve(dataDir, 'touchpoint.db') };
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') fail('DATABASE_URL', 'needs a file path after sqlite:', raw);
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(path) };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      new URL(raw);
    } catch {
      fail('DATABASE_URL', 'is not a valid postgres:// URL', redactUrl(raw));
    }
    return { kind: 'postgres', url: raw };
  }
  return fail('DATABASE_URL', 'must be empty, sqlite:<path> or postgres://…', redactUrl(raw));
}

/** Hides the password of a URL for messages and logs. */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/**
 * Reads and validates the configuration. Throws a TouchpointError naming the first bad key;
 * nothing falls back silently.
 *
 * @example
 *   const config = loadConfig(process.env);
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const read = <T>(spec: KeySpec<T>): T => spec.parse(env[spec.key] ?? spec.default, env);
  const environment = read(specs.env);
  const host = read(specs.host);
  const port = read(specs.port);
  const dataDir = read(specs.dataDir);
  const masterKey = read(specs.masterKey);
  if (environment === 'production' && masterKey === undefined) {
    throw new TouchpointError(
      'TP_ERR_MASTER_KEY_MISSING',
      { key: 'TOUCHPOINT_MASTER_KEY' },
      { message: 'TOUCHPOINT_MASTER_KEY is required in production (32 bytes, base64 or hex)' },
    );
  }
  const configuredUrl = read(specs.publicUrl);
  const publicUrl = configuredUrl || `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return Object.freeze({
    env: environment,
    host,
    port,
    publicUrl,
    publicUrlConfigured: configuredUrl !== '',
    dataDir,
    database: Object.freeze(parseDatabase(read(specs.databaseUrl), dataDir)),
    masterKey,
    logLevel: read(specs.logLevel),
    sqliteBusyTimeoutMs: read(specs.sqliteBusyTimeoutMs),
    pgPoolMax: read(specs.pgPoolMax),
    sqliteMaxPages: read(specs.sqliteMaxPages),
    pgSchema: read(specs.pgSchema),
    apiBodyLimitBytes: read(specs.apiBodyLimitBytes),
    allowTargets: Object.freeze(read(specs.allowTargets)),
    trustProxy: read(specs.trustProxy),
    testFaults: read(specs.testFaults),
    testFault: read(specs.testFault),
    verifyRetentionHours: read(specs.verifyRetentionHours),
    messageRetentionDays: read(specs.messageRetentionDays),
    erasureBlockDays: read(specs.erasureBlockDays),
    shutdownDeadlineMs: read(specs.shutdownDeadlineMs),
    campaignCronSeconds: read(specs.campaignCronSeconds),
    campaignLeaseMs: read(specs.campaignLeaseMs),
    campaignPollMs: read(specs.campaignPollMs),
    ingestRateLimit: read(specs.ingestRateLimit),
    ingestQueueMaxEvents: read(specs.ingestQueueMaxEvents),
    ingestBodyTimeoutMs: read(specs.ingestBodyTimeoutMs),
    headersTimeoutMs: read(specs.headersTimeoutMs),
    adminPassword: read(specs.adminPassword),
    deliveryRetrySchedule: read(specs.deliveryRetrySchedule),
    deliveryConcurrency: read(specs.deliveryConcurrency),
    deliveryChannelConcurrency: read(specs.deliveryChannelConcurrency),
    deliveryPollMs: read(specs.deliveryPollMs),
    deliveryLeaseMarginMs: read(specs.deliveryLeaseMarginMs),
    deliveryDrainMs: read(specs.deliveryDrainMs),
    deliveryUnhealthyAfterMs: read(specs.deliveryUnhealthyAfterMs),
    deliveryUnhealthyFailures: read(specs.deliveryUnhealthyFailures),
    deliveryRateMarginMs: read(specs.deliveryRateMarginMs),
  });
}

export function renderConfigDocs(): string {
  return [
    '# Configuration',
    '',
    'Touchpoint reads its configuration from environment variables once at start-up. A bad value',
    'stops start-up with one line naming the key; nothing falls back silently. This table is',
    'generated from `src/config/load-config.ts` by `npm run docs`; a test keeps it in sync.',
    '',
    '| variable | default | meaning |',
    '|---|---|---|',
    ...configKeys.map(
      (k) => `| \`${k.key}\` | ${k.default === '' ? '(empty)' : `\`${k.default}\``} | ${k.doc} |`,
    ),
    '',
  ].join('\n');
}
