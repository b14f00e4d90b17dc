import { toWireMessage, type RenderedMessage, type WireMessage } from './wire-message.ts';

/** SPEC §3.1: `batch_size` is 1–500. */
export const maxBatchSize = 500;

/**
 * Turns rendered messages into the wire messages of one request, in order (position `i` in the
 * array is `fail_list` index `i + 1`).
 *
 * @example
 *   const wire = buildBatch(rendered, { timeZone: project.timeZone });
 *   const body = serializeBatch(wire); // sign and send exactly these bytes
 */
export function buildBatch(
  messages: readonly RenderedMessage[],
  options: { timeZone: string },
): WireMessage[] {
  if (messages.length < 1 || messages.length > maxBatchSize)
    throw new RangeError(`a batch holds 1 to ${maxBatchSize} messages, not ${messages.length}`);
  return messages.map((message) => toWireMessage(message, options));
}
