import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/load-config.ts';

/**
 * The base URL to put in links and integration prompts: TOUCHPOINT_PUBLIC_URL when set, else the
 * scheme and host the request came to (what the operator's browser already reaches).
 */
export function publicBaseUrl(request: FastifyRequest, config: Config): string {
  if (config.publicUrlConfigured) return config.publicUrl;
  return `${request.protocol}://${request.host}`;
}
