import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { TouchpointError } from '../errors.ts';

/**
 * Where a ciphertext belongs. It is bound into the AES-GCM additional data, so a ciphertext
 * copied to another row, column or tenant fails to decrypt (RELIABILITY decision 7, SEC-06).
 */
export interface SecretContext {
  readonly table: string;
  readonly column: string;
  readonly rowId: string | number;
  readonly projectId?: string | number;
}

const FORMAT = 'tp1';

function aadOf(context: SecretContext): Buffer {
  return Buffer.from(
    JSON.stringify([
      FORMAT,
      context.table,
      context.column,
      String(context.rowId),
      String(context.projectId ?? ''),
    ]),
  );
}

function seal(
  key: Buffer,
  plaintext: Buffer,
  aad: Buffer,
): { nonce: Buffer; ciphertext: Buffer; tag: Buffer } {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

function open(key: Buffer, nonce: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

const b64 = (b: Buffer): string => b.toString('base64url');

/** Thrown when a stored secret cannot be decrypted: wrong key, tampered bytes, or moved row. */
export class SecretDecryptError extends TouchpointError {
  constructor(reason: string) {
    super('TP_ERR_SECRET_UNREADABLE', { reason });
    this.name = 'SecretDecryptError';
  }
}

/**
 * AES-256-GCM envelope encryption: each secret gets its own random data key, itself encrypted
 * under the master key. The stored text is
 * `tp1.<masterKeyId>.<wrapped data key>.<nonce>.<ciphertext>.<tag>` (base64url parts), so a
 * later master-key rotation re-wraps data keys without touching payloads.
 *
 * @example
 *   const box = new SecretBox(masterKey);
 *   const stored = box.encrypt('s3cret', { table: 'channels', column: 'token', rowId: 'ch_1', projectId: 7 });
 *   box.decrypt(stored, { table: 'channels', column: 'token', rowId: 'ch_1', projectId: 7 }); // 's3cret'
 */
export class SecretBox {
  readonly keyId: string;
  readonly #masterKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.#masterKey = Buffer.from(masterKey);
    this.keyId = createHash('sha256').update(masterKey).digest('hex').slice(0, 8);
  }

  /**
   * Key material for other purposes (cursor signing), derived one-way from the master key so the
   * master key itself never leaves this class.
   */
  deriveSeed(): Buffer {
    return createHash('sha256').update('touchpoint derive v1').update(this.#masterKey).digest();
  }

  encrypt(plaintext: string, context: SecretContext): string {
    const aad = aadOf(context);
    const dataKey = randomBytes(32);
    const wrapped = seal(this.#masterKey, dataKey, aad);
    const payload = seal(dataKey, Buffer.from(plaintext, 'utf8'), aad);
    dataKey.fill(0);
    const wrappedKey = Buffer.concat([wrapped.nonce, wrapped.ciphertext, wrapped.tag]);
    return [
      FORMAT,
      this.keyId,
      b64(wrappedKey),
      b64(payload.nonce),
      b64(payload.ciphertext),
      b64(payload.tag),
    ].join('.');
  }

  decrypt(stored: string, context: SecretContext): string {
    const parts = typeof stored === 'string' ? stored.split('.') : [];
    if (parts.length !== 6 || parts[0] !== FORMAT) throw new SecretDecryptError('malformed');
    const [, keyId, wrappedText, nonceText, ciphertextText, tagText] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (keyId !== this.keyId) throw new SecretDecryptError('unknown_master_key');
    const aad = aadOf(context);
    try {
      const wrapped = Buffer.from(wrappedText, 'base64url');
      if (wrapped.length !== 12 + 32 + 16) throw new Error('bad wrapped key length');
      const dataKey = open(
        this.#masterKey,
        wrapped.subarray(0, 12),
        wrapped.subarray(12, 44),
        wrapped.subarray(44),
        aad,
      );
      const nonce = Buffer.from(nonceText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (nonce.length !== 12 || tag.length !== 16) throw new Error('bad nonce or tag length');
      const plaintext = open(dataKey, nonce, Buffer.from(ciphertextText, 'base64url'), tag, aad);
      dataKey.fill(0);
      return plaintext.toString('utf8');
    } catch {
      // Never say more: the cause is either tampering or a key/row mismatch, both auth failures.
      throw new SecretDecryptError('authentication_failed');
    }
  }
}

/** The masked display form of a secret: its last four characters at most, never more. */
export function maskSecret(plaintext: string): string {
  return plaintext.length <= 8 ? '********' : `********${plaintext.slice(-4)}`;
}

/** Whether a value sent back by a client looks like the masked form (SEC-10). */
export function looksMasked(value: string): boolean {
  return /^\*{3,}[^*]{0,8}$/.test(value) || /^[^*]{0,4}\*{3,}$/.test(value);
}
