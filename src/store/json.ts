/** Reads a JSON column whichever way the driver returned it (`jsonb` parsed, `text` as a string). */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
