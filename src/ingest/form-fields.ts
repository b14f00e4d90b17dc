import { TouchpointError } from '../errors.ts';

/**
 * The raw bytes of the first field `name` of a form-encoded text (`a=1&b=2`): percent-escapes
 * decoded to bytes, `+` as a space. Bytes, not URLSearchParams' text: that would turn bad UTF-8
 * into U+FFFD unseen.
 */
export function formFieldBytes(body: Buffer, name: string): Buffer | undefined {
  const text = body.toString('latin1');
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key !== name) continue;
    const raw = (eq < 0 ? '' : pair.slice(eq + 1)).replaceAll('+', ' ');
    const out: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const hex = raw[i] === '%' ? raw.slice(i + 1, i + 3) : '';
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 2;
      } else out.push(raw.charCodeAt(i) & 0xff);
    }
    return Buffer.from(out);
  }
  return undefined;
}

/** The boundary of a `multipart/form-data` Content-Type, or undefined for any other type. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary)
    throw new TouchpointError('TP_ERR_INGEST_MALFORMED', {
      reason: 'multipart/form-data without a boundary',
    });
  return boundary;
}

function malformed(reason: string): never {
  throw new TouchpointError('TP_ERR_INGEST_MALFORMED', { reason });
}

/**
 * The fields of a `multipart/form-data` body (what `navigator.sendBeacon(url, formData)` sends),
 * by name, first one wins. Only plain fields are expected; a part's bytes are kept as sent.
 */
export function multipartFields(body: Buffer, boundary: string): Map<string, Buffer> {
  const fields = new Map<string, Buffer>();
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  let at = body.indexOf(delimiter);
  if (at < 0) malformed('the multipart body holds no part');
  for (;;) {
    at += delimiter.length;
    // "--" after a delimiter closes the body.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return fields;
    if (body[at] === 0x0d && body[at + 1] === 0x0a) at += 2;
    else malformed('a multipart delimiter is not followed by a line break');
    const headerEnd = body.indexOf('\r\n\r\n', at, 'latin1');
    if (headerEnd < 0) malformed('a multipart part has no end of headers');
    const headers = body.toString('latin1', at, headerEnd);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) malformed('the multipart body is not closed by its boundary');
    const name = /content-disposition:\s*form-data\s*;[^\r\n]*?\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) malformed('a multipart part has no form-data name');
    if (!fields.has(name)) fields.set(name, body.subarray(headerEnd + 4, next));
    at = next + 2;
  }
}
