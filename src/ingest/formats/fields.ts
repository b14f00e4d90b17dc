/** Small readers shared by the wire formats. */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An id given as a non-empty string or a finite number (SDKs send numeric user ids). */
export function idValue(value: unknown): string | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return false;
}

/** Identity types built into every project (SPEC §2.2); declared types are added by profiles. */
export const builtInIdTypes = ['email', 'phone', 'openid'] as const;

export function identitiesFrom(...sources: (JsonObject | undefined)[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const source of sources) {
    if (!source) continue;
    for (const type of builtInIdTypes) {
      const value = idValue(source[type]);
      if (typeof value === 'string') found[type] = value;
    }
  }
  return found;
}

/** Receipt fields (`#ops_receipt_properties`) taken out of properties. */
export function takeReceipt(properties: JsonObject): {
  properties: JsonObject;
  receipt: JsonObject | null;
  opsRequestId: string | null;
} {
  const receipt = properties['#ops_receipt_properties'];
  if (!isObject(receipt)) return { properties, receipt: null, opsRequestId: null };
  const rest = { ...properties };
  delete rest['#ops_receipt_properties'];
  const id = idValue(receipt.ops_request_id);
  return { properties: rest, receipt, opsRequestId: typeof id === 'string' ? id : null };
}

export class EventInvalid extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export function invalid(message: string): never {
  throw new EventInvalid('TP_ERR_INGEST_EVENT_INVALID', message);
}
