import { maxBatchSize } from './build-batch.ts';
import type { WireMessage } from './wire-message.ts';

/**
 * The request body: the JSON array as UTF-8 bytes, compact, keys in the order of
 * {@link WireMessage}. Serialize once, then sign and send these same bytes (SIG-02): `/` is not
 * escaped, non-ASCII text and U+2028 travel as raw UTF-8, lone surrogates as `\udxxx` escapes, so
 * a receiver that re-serializes before verifying will not match; receivers verify the raw bytes.
 *
 * @example
 *   serializeBatch([wire]).toString('utf8'); // '[{"push_id":"r-1001","params":{…},…}]'
 */
export function serializeBatch(messages: readonly WireMessage[]): Buffer {
  if (messages.length < 1 || messages.length > maxBatchSize)
    throw new RangeError(`a batch holds 1 to ${maxBatchSize} messages, not ${messages.length}`);
  return Buffer.from(JSON.stringify(messages), 'utf8');
}
