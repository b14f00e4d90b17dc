import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReceiverOptions } from './handle-request.ts';
import { answerNodeRequest, sendAnswer } from './node-receiver.ts';

/**
 * Express middleware (Express 4 or 5) answering the custom channel protocol. Mount it on its
 * route **before** `express.json()` (it needs the raw bytes to check signatures), or after
 * `express.raw({ type: '*\/*' })`, whose Buffer (already un-gzipped by body-parser) it uses.
 *
 * @example
 *   import express from 'express';
 *   import { expressReceiver } from '@touchpoint/receiver-kit';
 *
 *   const app = express();
 *   app.post('/touchpoint', expressReceiver({ secret: process.env.TOUCHPOINT_TOKEN, onBatch: handle }));
 *   app.listen(8080);
 */
export function expressReceiver(
  options: ReceiverOptions,
): (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    let raw: Buffer | undefined;
    if (Buffer.isBuffer(req.body)) raw = req.body;
    else if (req.body !== undefined && req.readableEnded)
      return next(
        new Error('receiver-kit needs the raw body: mount it before express.json() or use express.raw()'),
      );
    answerNodeRequest(req, raw, options).then((result) => sendAnswer(res, result), next);
  };
}
