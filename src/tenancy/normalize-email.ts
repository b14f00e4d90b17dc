import { validationError } from './validation-error.ts';

/** E-mail addresses compare trimmed and lower-cased everywhere (accounts, invitations, CLI). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The normalized address of a body's `email`; 400 on `/email` when it is not one. */
export function requireEmail(input: string): string {
  const email = normalizeEmail(input);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw validationError('/email', 'must be an e-mail address');
  return email;
}
