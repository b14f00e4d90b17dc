import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { TouchpointError, type ErrorCode } from '../errors.ts';
import type { Metrics } from '../observability/metrics.ts';

function codeFor(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'TP_ERR_REQUEST_TIMEOUT';
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'TP_ERR_HEADERS_TOO_LARGE';
  return 'TP_ERR_BAD_REQUEST';
}

/**
 * Answers what Node's HTTP parser and timeouts refuse before any request exists (a malformed
 * request line, headers over 16 KB, headers that never finish) with the same
 * `{"error":{code,message,details,requestId}}` body as every other error, instead of Fastify's
 * uncoded `{"error":"Request Timeout"}`. The raw bytes (`error.rawPacket`) are never logged:
 * they may hold a token in the URL or a header.
 */
export function clientErrorHandler(metrics: Metrics) {
  return function handle(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
    // A reset connection has nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const tpError = new TouchpointError(codeFor(error));
    const requestId = randomUUID();
    metrics.errors.inc({ code: tpError.code });
    this.log.debug({ code: tpError.code, parserError: error.code, requestId }, 'client error');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({
      error: { code: tpError.code, message: tpError.message, details: {}, requestId },
    });
    socket.end(
      [
        `HTTP/1.1 ${tpError.status} ${STATUS_CODES[tpError.status] ?? 'Error'}`,
        'content-type: application/json; charset=utf-8',
        `content-length: ${Buffer.byteLength(body)}`,
        `x-request-id: ${requestId}`,
        'connection: close',
        '',
        body,
      ].join('\r\n'),
      () => socket.destroy(),
    );
  };
}
