/**
 * One message of a Touchpoint custom channel request (the request body is a JSON array of these).
 * Every value in `params` and `custom_params` is a string; an `array_row` template field is an
 * array of rows whose cells are strings; an empty custom param is `null`.
 *
 * Pass `#ops_receipt_properties` through untouched (report it with click and open events) and
 * de-duplicate by its `ops_request_id`: delivery is at-least-once.
 */
export interface CustomChannelMessage {
  readonly push_id: string;
  readonly params?: Readonly<Record<string, string | readonly Readonly<Record<string, string>>[]>>;
  readonly custom_params?: Readonly<Record<string, string | null>>;
  readonly '#ops_receipt_properties': {
    readonly ops_request_id: string;
    readonly ops_task_id: string;
    readonly ops_task_instance_id: string;
    readonly ops_project_id: number;
    readonly [key: string]: unknown;
  };
}

/** Request headers as Node gives them (lower-case names). */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** One header value, or `undefined` when absent or repeated (a repeated signature is suspect). */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}
