import type { IncomingMessage } from 'node:http';
import { handleReceiverRequest, type ReceiverOptions } from './handle-request.ts';
import type { RequestHeaders } from './message.ts';
import { defaultMaxBodyBytes } from './parse-request.ts';

/** The part of a Fastify instance the plugin uses (so the kit does not depend on Fastify). */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    type: string,
    options: { parseAs: 'buffer'; bodyLimit?: number },
    parser: (request: unknown, body: Buffer, done: (error: Error | null, body?: Buffer) => void) => void,
  ): void;
  post(
    path: string,
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>,
  ): unknown;
}
export interface FastifyRequestLike {
  readonly body: unknown;
  readonly headers: RequestHeaders;
  readonly raw: IncomingMessage;
}
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload: string): FastifyReplyLike;
}

export interface FastifyReceiverOptions extends ReceiverOptions {
  /** Route path inside the plugin's prefix (default `/`). */
  readonly path?: string;
}

/**
 * A Fastify plugin that adds `POST {path}` answering the custom channel protocol. It keeps the
 * body as raw bytes inside its own encapsulated context, so your other routes keep Fastify's JSON
 * parser.
 *
 * @example
 *   import Fastify from 'fastify';
 *   import { fastifyReceiver } from '@touchpoint/receiver-kit';
 *
 *   const app = Fastify();
 *   await app.register(fastifyReceiver({ path: '/touchpoint', secret: process.env.TOUCHPOINT_TOKEN, onBatch: handle }));
 *   await app.listen({ port: 8080 });
 */
export function fastifyReceiver(
  options: FastifyReceiverOptions,
): (instance: FastifyInstanceLike) => Promise<void> {
  return async function touchpointReceiver(instance) {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: options.maxBodyBytes ?? defaultMaxBodyBytes },
      (_request, body, done) => done(null, body),
    );
    instance.post(options.path ?? '/', async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await handleReceiverRequest(raw, request.headers, options);
      reply.code(result.status);
      for (const [name, value] of Object.entries(result.headers)) reply.header(name, value);
      return reply.send(result.body);
    });
  };
}
