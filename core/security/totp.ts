import { Secret, TOTP } from 'otpauth'
import { randomKey, sha256Hex } from './crypto.ts'

// RFC 6238 time-based one-time passwords (SHA-1, 6 digits, 30 s), as every authenticator app expects.

const PERIOD_SECONDS = 30

/** A new random secret (160 bits), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

function totpFor(secret: string, account: string): TOTP {
  return new TOTP({ issuer: 'Hanggent', label: account, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) })
}

/** The `otpauth://` URL an authenticator app scans as a QR code. */
export function totpUrl(secret: string, account: string): string {
  return totpFor(secret, account).toString()
}

/**
 * The time step a code belongs to when it is valid now (one step of clock drift either way), or
 * undefined. Callers refuse steps at or before the last accepted one, so a code works once.
 */
export function acceptedTotpStep(secret: string, code: string, now: Date): number | undefined {
  if (!/^\d{6}$/.test(code.trim())) return undefined
  const delta = totpFor(secret, '').validate({ token: code.trim(), timestamp: now.getTime(), window: 1 })
  if (delta === null) return undefined
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta
}

/** A code for `now`, for tests and for showing the enrolment works. */
export function totpCode(secret: string, now: Date): string {
  return totpFor(secret, '').generate({ timestamp: now.getTime() })
}

/** Ten single-use recovery codes and their hashes (only the hashes are stored). */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: 10 }, () => `${randomKey(5)}-${randomKey(5)}`.toLowerCase())
  return { codes, hashes: codes.map(hashRecoveryCode) }
}

/** The stored form of a recovery code. */
export function hashRecoveryCode(code: string): string {
  return sha256Hex(code.trim().toLowerCase())
}
