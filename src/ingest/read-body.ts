import type { Readable } from 'node:stream';
import {
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createZstdDecompress,
  constants as zlibConstants,
  type Gunzip,
} from 'node:zlib';
import { TouchpointError } from '../errors.ts';

export type BodyEncoding = 'identity' | 'gzip' | 'deflate' | 'br' | 'zstd';

/**
 * Picks the decoder from `Content-Encoding`, or from ThinkingData's `compress` header (its SDK
 * never sets Content-Encoding). Unknown values answer 415 before the body is read.
 */
export function bodyEncoding(
  contentEncoding: string | undefined,
  compress: string | undefined,
): BodyEncoding {
  const raw = (contentEncoding ?? '').trim().toLowerCase();
  if (raw !== '' && raw !== 'identity') {
    if (raw === 'gzip' || raw === 'x-gzip') return 'gzip';
    if (raw === 'deflate' || raw === 'br' || raw === 'zstd') return raw;
    throw new TouchpointError('TP_ERR_INGEST_UNSUPPORTED_ENCODING', { encoding: raw.slice(0, 40) });
  }
  const te = (compress ?? '').trim().toLowerCase();
  if (te === '' || te === 'none') return 'identity';
  if (te === 'gzip') return 'gzip';
  throw new TouchpointError('TP_ERR_INGEST_UNSUPPORTED_ENCODING', { compress: te.slice(0, 40) });
}

export interface ReadBodyOptions {
  readonly encoding: BodyEncoding;
  readonly maxWireBytes: number;
  readonly maxDecodedBytes: number;
  /** Total time allowed for the body (slowloris, ING-23). */
  readonly timeoutMs: number;
}

export interface BodyRead {
  readonly body: Buffer;
  /** Bytes taken from the socket (compressed). */
  readonly wireBytes: number;
}

function decoderFor(encoding: BodyEncoding): Gunzip | undefined {
  // Small output chunks: the cap is checked per chunk, so a bomb is stopped within one chunk.
  const chunkSize = 16 * 1024;
  switch (encoding) {
    case 'identity':
      return undefined;
    case 'gzip':
      return createGunzip({ chunkSize });
    case 'deflate':
      return createInflate({ chunkSize });
    case 'br':
      return createBrotliDecompress({ chunkSize }) as unknown as Gunzip;
    case 'zstd':
      return createZstdDecompress({ chunkSize }) as unknown as Gunzip;
  }
}

/**
 * Reads a request body under both caps: the wire bytes (413 TP_ERR_INGEST_BODY_TOO_LARGE) and
 * the decoded bytes (413 TP_ERR_INGEST_DECODED_TOO_LARGE). The decoder is fed only as fast as
 * its output is counted and destroyed at the cap, so a gzip bomb costs about the cap, never its
 * full expansion. A corrupt stream is 400 TP_ERR_INGEST_INVALID_ENCODING; a body slower than
 * `timeoutMs` is 408.
 */
export function readBody(stream: Readable, options: ReadBodyOptions): Promise<BodyRead> {
  return new Promise<BodyRead>((resolve, reject) => {
    const decoder = decoderFor(options.encoding);
    const parts: Buffer[] = [];
    let decoded = 0;
    let wire = 0;
    let settled = false;
    const finish = (error: TouchpointError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.off('data', onWire);
      stream.off('end', onWireEnd);
      stream.off('error', onWireError);
      if (decoder) {
        decoder.removeAllListeners('data');
        decoder.on('error', () => {});
        decoder.destroy();
      }
      if (error) {
        // Stop reading: the rest of the body is never drained (the route closes the connection).
        stream.pause();
        reject(error);
      } else {
        resolve({ body: parts.length === 1 ? parts[0]! : Buffer.concat(parts, decoded), wireBytes: wire });
      }
    };
    const timer = setTimeout(
      () => finish(new TouchpointError('TP_ERR_INGEST_BODY_TIMEOUT', { timeoutMs: options.timeoutMs })),
      options.timeoutMs,
    );
    const onDecoded = (chunk: Buffer) => {
      decoded += chunk.length;
      if (decoded > options.maxDecodedBytes) {
        finish(new TouchpointError('TP_ERR_INGEST_DECODED_TOO_LARGE', { limit: options.maxDecodedBytes }));
        return;
      }
      parts.push(chunk);
    };
    // Without a decoder the wire bytes are the decoded bytes: the decoded cap is the wire cap.
    const wireLimit = decoder
      ? options.maxWireBytes
      : Math.min(options.maxWireBytes, options.maxDecodedBytes);
    const onWire = (chunk: Buffer) => {
      wire += chunk.length;
      if (wire > wireLimit) {
        finish(new TouchpointError('TP_ERR_INGEST_BODY_TOO_LARGE', { limit: wireLimit }));
        return;
      }
      if (!decoder) {
        onDecoded(chunk);
        return;
      }
      // Backpressure: stop the socket while the decoder works through this chunk.
      if (!decoder.write(chunk)) {
        stream.pause();
        decoder.once('drain', () => {
          if (!settled) stream.resume();
        });
      }
    };
    const onWireEnd = () => {
      if (!decoder) finish(undefined);
      else decoder.end();
    };
    const onWireError = () =>
      finish(new TouchpointError('TP_ERR_INGEST_MALFORMED', { reason: 'the body was cut off' }));
    if (decoder) {
      decoder.on('data', onDecoded);
      decoder.on('end', () => finish(undefined));
      decoder.on('error', (error: NodeJS.ErrnoException) => {
        const truncated = error.code === 'Z_BUF_ERROR' || error.errno === zlibConstants.Z_BUF_ERROR;
        finish(
          new TouchpointError('TP_ERR_INGEST_INVALID_ENCODING', {
            encoding: options.encoding,
            reason: truncated ? 'unexpected end of the compressed stream' : 'corrupt compressed stream',
          }),
        );
      });
    }
    stream.on('data', onWire);
    stream.on('end', onWireEnd);
    stream.on('error', onWireError);
    stream.resume();
  });
}
