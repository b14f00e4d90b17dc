import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/load-config.ts';

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

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { service: 'touchpoint' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
