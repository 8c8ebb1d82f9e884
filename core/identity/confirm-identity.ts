import type { AppContext } from '../app-context.ts'
import { verifyPassword } from '../security/password.ts'
import type { users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { failOpen, rateLimited, warnLimitStoreDown } from '../limits/limit-checks.ts'
import { verifySecondFactor } from './two-factor.ts'

type UserRow = typeof users.$inferSelect

/** Wrong confirmations (password or code) after which an account's confirmations are refused for the rest of the window. */
export const CONFIRM_FAILURES = 5
const CONFIRM_WINDOW_MS = 15 * 60_000

/** What the caller offers as proof, and which body fields carry it (for error messages). */
export interface IdentityProof {
  password: string
  passwordField: string
  /** The second factor, required when `withSecondFactor` is set and the account has two-factor sign-in. */
  code?: string
  withSecondFactor: boolean
}

/**
 * Confirms that the signed-in user is still the person at the keyboard before a sensitive action:
 * the current password, plus an authenticator or recovery code when asked and the account has
 * two-factor sign-in. Wrong proof is a 403 naming the field; after five wrong tries in 15 minutes
 * every attempt is a 429 until the window passes, so a stolen session cannot guess the password.
 */
export async function confirmIdentity(context: AppContext, user: UserRow, proof: IdentityProof): Promise<void> {
  const bucket = `confirm-failures:${user.id}`
  const warn = warnLimitStoreDown(context.logger)
  const lockout = await failOpen(() => context.limiter.peek(bucket, CONFIRM_FAILURES, CONFIRM_WINDOW_MS), undefined, warn)
  if (lockout && !lockout.allowed) throw rateLimited(lockout, `${CONFIRM_FAILURES} wrong confirmations in ${CONFIRM_WINDOW_MS / 60_000} minutes`)
  const fail = async (error: GatewayError): Promise<never> => {
    await failOpen(() => context.limiter.record(bucket, CONFIRM_WINDOW_MS), undefined, warn)
    throw error
  }
  if (!user.passwordHash) {
    throw new GatewayError(
      403,
      'forbidden',
      `${proof.passwordField}: this account signs in without a password, so it cannot confirm with one; ask an admin to reset its password`,
      { param: proof.passwordField },
    )
  }
  if (!(await verifyPassword(proof.password, user.passwordHash))) {
    await fail(new GatewayError(403, 'forbidden', `${proof.passwordField}: wrong password`, { param: proof.passwordField }))
  }
  if (!proof.withSecondFactor || !user.totpEnabled) return
  if (!proof.code)
    throw new GatewayError(403, 'totp_required', 'code: two-factor sign-in is on; send a code from your authenticator app (or a recovery code)', {
      param: 'code',
    })
  if (!(await verifySecondFactor(context, user, proof.code)))
    await fail(new GatewayError(403, 'forbidden', 'code: wrong or already used two-factor code', { param: 'code' }))
}
