import type { Readable } from 'node:stream';

/** Thrown by {@link readBody} when the body exceeds the limit. */
export class BodyTooLargeError extends Error {
  readonly status = 413;
}

/**
 * Reads a request stream into one Buffer, refusing (and stopping to read) past `maxBytes`.
 *
 * @example
 *   const raw = await readBody(req, 10 * 1024 * 1024);
 */
export async function readBody(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    // Stop reading here; the caller answers 413 and closes the connection.
    if (size > maxBytes) throw new BodyTooLargeError(`body over ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
