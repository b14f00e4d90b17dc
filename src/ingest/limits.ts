/** The caps of SPEC §2.1, applied after decompression. */
export interface IngestLimits {
  /** Largest decoded body (500 KB). */
  readonly maxDecodedBytes: number;
  /** Largest body on the wire; a little over the decoded cap since gzip can grow incompressible data. */
  readonly maxWireBytes: number;
  /** Most events in one request. */
  readonly maxEvents: number;
  /** Largest event, measured as its UTF-8 JSON (32 KB). */
  readonly maxEventBytes: number;
  /** Deepest nesting of objects and arrays inside one event (the event object itself is depth 1). */
  readonly maxEventDepth: number;
  /** Longest property key, in characters. */
  readonly maxKeyLength: number;
  /** Longest message id / `#uuid`, in characters. */
  readonly maxIdLength: number;
}

export const defaultIngestLimits: IngestLimits = Object.freeze({
  maxDecodedBytes: 500 * 1024,
  maxWireBytes: 500 * 1024 + 16 * 1024,
  maxEvents: 2500,
  maxEventBytes: 32 * 1024,
  maxEventDepth: 32,
  maxKeyLength: 255,
  maxIdLength: 255,
});
