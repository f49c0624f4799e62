import { createCipheriv, createDecipheriv, createHmac, randomBytes, scryptSync } from 'node:crypto';

/**
 * Sealed values start with this; anything else is a value stored before encryption (read as is, and
 * sealed the next time it is written). The version names everything below: cipher, key derivation,
 * layout. A v2 would add its own prefix and keep opening v1.
 */
export const SEALED_PREFIX = 'enc:v1:';

/**
 * How the 256-bit key is derived from QUOTECAST_SECRET_KEY: scrypt with a fixed salt, so the same
 * secret gives the same key on every machine and every restart (the key is per deployment, and the
 * random nonce of each value is what keeps two encryptions of one token apart). scrypt rather than
 * HKDF because the secret may be a passphrase; N = 2^15 (32 MiB, ~0.1 s once per process).
 */
export const KEY_DERIVATION = {
  salt: 'quotecast/secret-box/v1',
  N: 2 ** 15,
  r: 8,
  p: 1,
  keyBytes: 32,
} as const;

/** Shorter secrets are refused: a short passphrase is guessed offline from a copy of the store. */
export const MIN_SECRET_LENGTH = 16;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Names the key a value was sealed with, so a wrong key is told from a damaged value. */
const KEY_ID_BYTES = 4;

export type SecretBoxFailure =
  /** Sealed with another key: the current QUOTECAST_SECRET_KEY is not the one used to write it. */
  | 'wrong-key'
  /** Not a value this version can read, or its bytes were changed (GCM authentication failed). */
  | 'damaged';

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  readonly reason: SecretBoxFailure;

  constructor(reason: SecretBoxFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface SecretBox {
  /**
   * AES-256-GCM with a fresh random 12-byte nonce: `enc:v1:<key id>.<nonce>.<ciphertext>.<tag>`, each
   * part base64url. `context` (e.g. the setting's key) is authenticated but not stored, so a value
   * copied to another place does not open there.
   */
  seal(plaintext: string, context: string): string;
  /** The plaintext of a sealed value, or a SecretBoxError; never says anything about the plaintext. */
  open(sealed: string, context: string): string;
}

/** Whether `value` was written by a SecretBox (else it is a value stored in clear). */
export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

/**
 * A SecretBox keyed by `secret` (QUOTECAST_SECRET_KEY's value). The key is derived on first use, so
 * commands that never touch a sealed value do not pay for scrypt.
 */
export function createSecretBox(secret: string): SecretBox {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new RangeError(
      `the secret key must be at least ${MIN_SECRET_LENGTH} characters (got ${secret.length})`,
    );
  }
  let derived: { key: Buffer; id: string } | undefined;
  function keys(): { key: Buffer; id: string } {
    if (derived === undefined) {
      const { salt, N, r, p, keyBytes } = KEY_DERIVATION;
      const key = scryptSync(secret, salt, keyBytes, { N, r, p, maxmem: 256 * N * r });
      const id = createHmac('sha256', key).update('quotecast key id').digest().subarray(0, KEY_ID_BYTES);
      derived = { key, id: id.toString('base64url') };
    }
    return derived;
  }

  return {
    seal(plaintext, context) {
      const { key, id } = keys();
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [nonce, body, cipher.getAuthTag()].map((part) => part.toString('base64url'));
      return `${SEALED_PREFIX}${[id, ...parts].join('.')}`;
    },

    open(sealed, context) {
      const parts = isSealed(sealed) ? sealed.slice(SEALED_PREFIX.length).split('.') : [];
      const [id, nonce, body, tag] = parts.map((part) => Buffer.from(part, 'base64url'));
      if (
        parts.length !== 4 ||
        id === undefined ||
        nonce?.length !== NONCE_BYTES ||
        body === undefined ||
        tag?.length !== TAG_BYTES
      ) {
        throw new SecretBoxError('damaged', 'the sealed value is not in the enc:v1 layout');
      }
      const keyed = keys();
      if (id.toString('base64url') !== keyed.id) {
        throw new SecretBoxError('wrong-key', 'the value was sealed with a different key');
      }
      const decipher = createDecipheriv('aes-256-gcm', keyed.key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('damaged', 'the sealed value failed authentication (changed or moved)');
      }
    },
  };
}
