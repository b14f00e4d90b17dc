import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/load-config.ts';
import { redactUrl } from './redact-url.ts';

/**
 * Paths pino blanks in every log line. Secrets also never reach log calls by design; this is the
 * second line of defence for headers and bodies (SEC-14).
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-te-ops-signature"]',
  'req.headers["webhook-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.secret',
  '*.token',
  '*.master_secret',
  '*.masterSecret',
  '*.masterKey',
  '*.auth_token',
];

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
}

/**
 * Serializers that keep secrets in URLs out of the log: Fastify's request line (same fields as
 * its own serializer, URL redacted), errors (whose message or stack may quote a URL) and any
 * `url` field. pino's path redaction cannot reach inside a string, hence these.
 */
const serializers = {
  req(req: LoggedRequest) {
    return {
      method: req.method,
      url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
      version: req.headers?.['accept-version'],
      host: req.host,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    };
  },
  err(error: Error) {
    const out = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
    for (const key of ['message', 'stack']) if (typeof out[key] === 'string') out[key] = redactUrl(out[key]);
    return out;
  },
  url: (url: unknown) => (typeof url === 'string' ? redactUrl(url) : url),
};

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers,
      base: { service: 'touchpoint' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
