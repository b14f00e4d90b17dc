import { readFileSync } from 'node:fs';
import { TouchpointError } from '../errors.ts';

export const MIN_PASSWORD_LENGTH = 10;

const commonPasswords: ReadonlySet<string> = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#')),
);

export type PasswordProblem = 'too_short' | 'is_email' | 'common';

/**
 * Why a password is refused, or null when it may be used. A common password stays common in
 * another case and with digits or symbols appended (`Qwerty2024!`), so those are stripped first.
 */
export function passwordProblem(password: string, email: string | null): PasswordProblem | null {
  if (password.length < MIN_PASSWORD_LENGTH) return 'too_short';
  const lower = password.normalize('NFKC').trim().toLowerCase();
  const stem = lower.replace(/[^\p{L}]+$/u, '');
  if (email !== null) {
    const address = email.trim().toLowerCase();
    const user = address.split('@')[0] ?? address;
    if ([lower, stem].some((candidate) => candidate === address || candidate === user)) return 'is_email';
  }
  if (commonPasswords.has(lower) || (stem !== '' && commonPasswords.has(stem))) return 'common';
  return null;
}

const problemText: Record<PasswordProblem, string> = {
  too_short: `must be at least ${MIN_PASSWORD_LENGTH} characters`,
  is_email: 'must not be the e-mail address or its name part',
  common: 'is one of the most common passwords; choose a less predictable one',
};

/** Why a password is refused, as a sentence for start-up messages (`TOUCHPOINT_ADMIN_PASSWORD …`). */
export function describePasswordProblem(problem: PasswordProblem): string {
  return problemText[problem];
}

/**
 * Throws the coded error for a refused password: the length rule stays a plain validation
 * error; the e-mail and common-password rules have their own codes. Every answer names the body
 * field (`path`), so forms show the reason under it.
 */
export function assertPasswordAllowed(password: string, email: string | null, path: string): void {
  const problem = passwordProblem(password, email);
  if (problem === null) return;
  const rule = problem === 'too_short' ? 'invalid' : problem;
  const issues = [{ in: 'body', path, rule, message: problemText[problem] }];
  const message = `body${path} ${problemText[problem]}`;
  if (problem === 'too_short') throw new TouchpointError('TP_ERR_VALIDATION', { issues }, { message });
  throw new TouchpointError(
    problem === 'common' ? 'TP_ERR_AUTH_PASSWORD_COMMON' : 'TP_ERR_AUTH_PASSWORD_IS_EMAIL',
    { issues },
  );
}
