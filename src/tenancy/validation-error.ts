import { TouchpointError } from '../errors.ts';

/** A 400 `TP_ERR_VALIDATION` about one body field, shaped like the schema validator's answer. */
export function validationError(path: string, message: string): TouchpointError {
  return new TouchpointError(
    'TP_ERR_VALIDATION',
    { issues: [{ in: 'body', path, rule: 'invalid', message }] },
    { message: `body${path} ${message}` },
  );
}
