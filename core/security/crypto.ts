import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** Encrypts channel keys at rest with AES-256-GCM; the key is derived from CRYPTO_SECRET. */
export interface SecretBox {
  /** Encrypts text into a self-describing `v1.<iv>.<tag>.<ciphertext>` string (base64url parts). */
  seal(plaintext: string): string
  /** Decrypts what seal produced; throws when the data was tampered with or the secret differs. */
  open(sealed: string): string
}

/** Builds a SecretBox from the operator's secret. */
export function createSecretBox(secret: string): SecretBox {
  const key = createHash('sha256').update(`hanggent:secret-box:${secret}`).digest()
  return {
    seal(plaintext) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      const tag = cipher.getAuthTag()
      return ['v1', iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.')
    },
    open(sealed) {
      const [version, iv, tag, ciphertext] = sealed.split('.')
      if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('Unrecognised sealed secret format')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
    },
  }
}

/** SHA-256 hex digest; API keys are high-entropy, so a fast hash is the right lookup key. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** Constant-time string comparison for secrets. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A random string over [A-Za-z0-9] with no modulo bias. */
export function randomKey(length: number): string {
  let out = ''
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += KEY_ALPHABET[byte % 62]
    }
  }
  return out
}

/** A new relay API key in the `sk-` form clients and SDKs expect. */
export function newApiKey(): string {
  return `sk-${randomKey(48)}`
}

/** Shows enough of a secret to recognise it and never enough to use it. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return '****'
  return `${secret.slice(0, 3)}…${secret.slice(-4)}`
}
