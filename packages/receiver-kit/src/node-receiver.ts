import type { IncomingMessage, ServerResponse } from 'node:http';
import { failureResponse } from './build-response.ts';
import { handleReceiverRequest, type ReceiverAnswer, type ReceiverOptions } from './handle-request.ts';
import { defaultMaxBodyBytes } from './parse-request.ts';
import { BodyTooLargeError, readBody } from './read-body.ts';

/** Writes a {@link ReceiverAnswer} to a Node response. */
export function sendAnswer(res: ServerResponse, result: ReceiverAnswer): void {
  res.writeHead(result.status, result.headers).end(result.body);
}

/**
 * Reads the raw body and runs {@link handleReceiverRequest}; answers 405 to anything but POST
 * and 413 past `maxBodyBytes` without reading further. `decodedBody` is for frameworks that
 * already read (and, like body-parser, un-gzipped) the body.
 */
export async function answerNodeRequest(
  req: IncomingMessage,
  decodedBody: Buffer | undefined,
  options: ReceiverOptions,
): Promise<ReceiverAnswer> {
  const json = (status: number, message: string): ReceiverAnswer => ({
    status,
    headers: { 'content-type': 'application/json', ...(status === 413 ? { connection: 'close' } : {}) },
    body: JSON.stringify(failureResponse(message)),
  });
  if (req.method !== 'POST') return json(405, 'use POST');
  if (decodedBody !== undefined) {
    const { 'content-encoding': _decoded, ...headers } = req.headers;
    return handleReceiverRequest(decodedBody, headers, options);
  }
  let body: Buffer;
  try {
    body = await readBody(req, options.maxBodyBytes ?? defaultMaxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return json(413, error.message);
    throw error;
  }
  return handleReceiverRequest(body, req.headers, options);
}

/**
 * A `node:http` request listener for a custom channel endpoint.
 *
 * @example
 *   import { createServer } from 'node:http';
 *   import { nodeReceiver } from '@touchpoint/receiver-kit';
 *
 *   createServer(
 *     nodeReceiver({
 *       secret: process.env.TOUCHPOINT_TOKEN,
 *       onBatch: (messages) => messages.map((m) => (m.push_id ? null : 'push_id is empty')),
 *     }),
 *   ).listen(8080);
 */
export function nodeReceiver(options: ReceiverOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    answerNodeRequest(req, undefined, options).then(
      (result) => sendAnswer(res, result),
      (error: unknown) => {
        options.onError?.(error);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      },
    );
  };
}
