import { TouchpointError } from '../../../errors.ts';
import { isObject } from '../fields.ts';

/**
 * The `data` field of a `/sync_js` request of ThinkingData's web SDK: base64 of a JSON document
 * `{"data":[events…],"#app_id":…,"#flush_time":…}`. Returns the decoded bytes (still to be read
 * as UTF-8 JSON). Form encoding may have turned a `+` of the base64 text into a space: put back.
 */
export function decodeSyncJsData(field: Buffer): Buffer {
  const text = field.toString('latin1').trim().replaceAll(' ', '+');
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 === 1)
    throw new TouchpointError('TP_ERR_INGEST_MALFORMED', {
      reason: 'the form field data is not base64 text',
    });
  return Buffer.from(text, 'base64');
}

export interface SyncJsPayload {
  /** `#app_id`: the data source's app key. */
  readonly appId: string | undefined;
  readonly events: readonly unknown[];
}

/** Splits a decoded `/sync_js` document into its app id and events; a wrong shape is 400. */
export function parseSyncJsPayload(value: unknown): SyncJsPayload {
  if (!isObject(value) || !Array.isArray(value.data))
    throw new TouchpointError('TP_ERR_INGEST_MALFORMED', {
      reason: 'data must decode to {"data":[events…],"#app_id":…}',
    });
  const appId = value['#app_id'];
  return { appId: typeof appId === 'string' && appId !== '' ? appId : undefined, events: value.data };
}
