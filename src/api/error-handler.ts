import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, TouchpointError, type ErrorCode } from '../errors.ts';
import type { Metrics } from '../observability/metrics.ts';
import { StoreBusyError, StoreUnavailableError } from '../store/store-errors.ts';

/** JSON schema of the standard error body, shared by every route's error responses. */
export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', example: 'TP_ERR_VALIDATION' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
        requestId: { type: 'string' },
      },
    },
  },
} as const;

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Translates whatever was thrown into a registered code; unknown failures become TP_ERR_INTERNAL. */
export function toTouchpointError(error: unknown): TouchpointError {
  if (error instanceof TouchpointError) return error;
  // The database could not answer: nothing was committed, and a retry may pass (503, not 500).
  if (error instanceof StoreUnavailableError)
    return new TouchpointError(
      'TP_ERR_STORE_UNAVAILABLE',
      {},
      { cause: error, retryAfter: error instanceof StoreBusyError ? 1 : 5 },
    );
  const e = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const issues = e.validation.map((v) => {
      let path = v.instancePath ?? '';
      if (v.keyword === 'additionalProperties' && typeof v.params?.additionalProperty === 'string')
        path = `${path}/${v.params.additionalProperty}`;
      if (v.keyword === 'required' && typeof v.params?.missingProperty === 'string')
        path = `${path}/${v.params.missingProperty}`;
      const message =
        v.keyword === 'additionalProperties'
          ? 'is not a known field'
          : (v.message ?? 'is invalid').replace(/^must/, 'must');
      return { in: e.validationContext ?? 'body', path: path || '/', rule: v.keyword ?? 'invalid', message };
    });
    const first = issues[0];
    return new TouchpointError(
      'TP_ERR_VALIDATION',
      { issues },
      { message: first ? `${first.in}${first.path === '/' ? '' : first.path} ${first.message}` : undefined },
    );
  }
  const byFastifyCode: Record<string, ErrorCode> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'TP_ERR_PAYLOAD_TOO_LARGE',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'TP_ERR_UNSUPPORTED_MEDIA_TYPE',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'TP_ERR_VALIDATION',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'TP_ERR_INVALID_JSON',
    FST_ERR_CTP_INVALID_JSON_BODY: 'TP_ERR_INVALID_JSON',
    FST_ERR_BAD_URL: 'TP_ERR_BAD_REQUEST',
  };
  const mapped = e.code ? byFastifyCode[e.code] : undefined;
  if (mapped) return new TouchpointError(mapped, {}, { cause: error });
  if (e instanceof SyntaxError && e.statusCode === 400)
    return new TouchpointError('TP_ERR_INVALID_JSON', {}, { cause: error });
  const status = e.statusCode ?? 500;
  if (status === 404) return new TouchpointError('TP_ERR_NOT_FOUND', {}, { cause: error });
  if (status === 405) return new TouchpointError('TP_ERR_METHOD_NOT_ALLOWED', {}, { cause: error });
  if (status === 413) return new TouchpointError('TP_ERR_PAYLOAD_TOO_LARGE', {}, { cause: error });
  if (status === 415) return new TouchpointError('TP_ERR_UNSUPPORTED_MEDIA_TYPE', {}, { cause: error });
  if (status >= 400 && status < 500) return new TouchpointError('TP_ERR_VALIDATION', {}, { cause: error });
  return new TouchpointError('TP_ERR_INTERNAL', {}, { cause: error });
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: TouchpointError,
  metrics: Metrics,
) {
  metrics.errors.inc({ code: error.code });
  if (error.retryAfter !== undefined) reply.header('retry-after', String(Math.ceil(error.retryAfter)));
  else if (error.status === 503) reply.header('retry-after', '5');
  return reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send({
      error: {
        code: error.code,
        message: error.message,
        details: error.details ?? {},
        requestId: String(request.id),
      },
    });
}

export function errorHandler(metrics: Metrics) {
  return function handle(this: unknown, error: unknown, request: FastifyRequest, reply: FastifyReply) {
    const tpError = toTouchpointError(error);
    if (tpError.status >= 500) request.log.error({ err: error, code: tpError.code }, 'request failed');
    else request.log.info({ code: tpError.code }, 'request rejected');
    return sendError(request, reply, tpError, metrics);
  };
}

export { errorCodes };
