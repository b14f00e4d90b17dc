import { isUtf8 } from 'node:buffer';

/** Where an invalid byte sits: its offset in the decoded body and the JSON path around it. */
export interface InvalidUtf8 {
  readonly offset: number;
  /**
   * Keys and indexes of the containers holding the byte, outermost first, at most two deep
   * (`['batch', 3]` is the fourth event of a Segment batch). `null` stands for an object key
   * that is itself being read (the byte is in a key, not in that key's value).
   */
  readonly path: readonly (string | number | null)[];
}

export interface DecodedText {
  /** The text, with every invalid sequence as U+FFFD (shown in verify, never stored). */
  readonly text: string;
  /** Empty when the bytes are valid UTF-8. */
  readonly invalid: readonly InvalidUtf8[];
}

/** At most this many invalid sequences are located; one is enough to reject an event. */
const MAX_LOCATED = 1000;

/**
 * Decodes a body as UTF-8 without hiding a bad byte. Valid bodies (the usual case) cost one
 * `isUtf8` check; for an invalid one, each bad sequence is located in the JSON structure, so the
 * caller can reject only the events that hold one (ING-13: never a silent U+FFFD in stored data).
 */
export function decodeUtf8(bytes: Buffer): DecodedText {
  const text = bytes.toString('utf8');
  if (isUtf8(bytes)) return { text, invalid: [] };
  const offsets = invalidUtf8Offsets(bytes, MAX_LOCATED);
  const paths = jsonPathsAt(bytes, offsets, 2);
  return { text, invalid: offsets.map((offset, i) => ({ offset, path: paths[i] ?? [] })) };
}

/**
 * Offsets of the invalid sequences (the WHATWG decoder's "maximal subparts"), in order: stray
 * continuation bytes, truncated sequences, overlong forms, surrogates and code points over
 * U+10FFFF.
 */
export function invalidUtf8Offsets(bytes: Uint8Array, max = Infinity): number[] {
  const found: number[] = [];
  let i = 0;
  while (i < bytes.length && found.length < max) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else {
      found.push(i);
      i++;
      continue;
    }
    let j = 1;
    for (; j <= need; j++) {
      const c = bytes[i + j];
      const lo = j === 1 ? lower : 0x80;
      const hi = j === 1 ? upper : 0xbf;
      if (c === undefined || c < lo || c > hi) break;
    }
    if (j > need) {
      i += need + 1;
      continue;
    }
    found.push(i);
    i += j;
  }
  return found;
}

interface Frame {
  readonly array: boolean;
  index: number;
  key: string | null;
}

function keyOf(bytes: Uint8Array): string | null {
  try {
    const key: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return typeof key === 'string' ? key : null;
  } catch {
    return null;
  }
}

/**
 * The JSON path (up to `depth` containers) at each of the sorted `offsets`, found by one scan of
 * the bytes. JSON's structural characters are ASCII and every byte of a multi-byte or invalid
 * sequence is ≥ 0x80, so the scan needs no decoding. Bytes of a document that is not valid JSON
 * get some path; the caller's JSON.parse refuses such a body anyway.
 */
export function jsonPathsAt(
  bytes: Uint8Array,
  offsets: readonly number[],
  depth: number,
): (string | number | null)[][] {
  const paths: (string | number | null)[][] = [];
  const stack: Frame[] = [];
  let inString = false;
  let escaped = false;
  let keyStart = -1;
  let expectKey = false;
  let k = 0;
  for (let i = 0; i < bytes.length && k < offsets.length; i++) {
    while (k < offsets.length && offsets[k] === i) {
      paths.push(stack.slice(0, depth).map((f) => (f.array ? f.index : f.key)));
      k++;
    }
    const b = bytes[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (b === 0x5c) escaped = true;
      else if (b === 0x22) {
        inString = false;
        if (keyStart >= 0) {
          const top = stack.at(-1);
          if (top) top.key = keyOf(bytes.subarray(keyStart, i + 1));
          keyStart = -1;
        }
      }
      continue;
    }
    const top = stack.at(-1);
    switch (b) {
      case 0x22: // "
        inString = true;
        if (top && !top.array && expectKey) {
          keyStart = i;
          top.key = null;
        }
        break;
      case 0x7b: // {
        stack.push({ array: false, index: 0, key: null });
        expectKey = true;
        break;
      case 0x5b: // [
        stack.push({ array: true, index: 0, key: null });
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        expectKey = false;
        break;
      case 0x3a: // :
        expectKey = false;
        break;
      case 0x2c: // ,
        if (top?.array) top.index++;
        else expectKey = true;
        break;
    }
  }
  while (paths.length < offsets.length) paths.push([]);
  return paths;
}
