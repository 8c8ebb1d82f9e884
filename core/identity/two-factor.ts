import { Elysia, t } from 'elysia'
import { and, eq, isNull, lt, or } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { acceptedTotpStep, hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpUrl } from '../security/totp.ts'
import { access, apiBase, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'

type UserRow = typeof users.$inferSelect
const tags = ['two-factor']
const Code = t.Object(
  { code: t.String({ minLength: 6, maxLength: 32, description: 'A code from the authenticator app, or a recovery code' }) },
  { additionalProperties: false },
)

/**
 * Checks a second factor for a user: a TOTP code (each time step accepted once, recorded with a
 * conditional update so two requests cannot both use it) or a recovery code (consumed). True when valid.
 */
export async function verifySecondFactor(context: AppContext, user: UserRow, code: string): Promise<boolean> {
  const db = context.database.db
  if (!user.totpSecretEncrypted) return false
  const step = acceptedTotpStep(context.secretBox.open(user.totpSecretEncrypted), code, context.now())
  if (step !== undefined) {
    const claimed = await db
      .update(users)
      .set({ totpLastStep: step })
      .where(and(eq(users.id, user.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
      .returning({ id: users.id })
    return claimed.length === 1
  }
  const hash = hashRecoveryCode(code)
  if (!user.recoveryCodeHashes.includes(hash)) return false
  const remaining = user.recoveryCodeHashes.filter((stored) => stored !== hash)
  await db.update(users).set({ recoveryCodeHashes: remaining }).where(eq(users.id, user.id))
  context.logWriter.write({ type: 'login', userId: user.id, username: user.username, content: `recovery code used; ${remaining.length} left` })
  return true
}

/** TOTP enrolment for the signed-in user: set up, confirm with a first code, turn off. */
export function twoFactorRoutes(deps: IdentityDeps) {
  const { context } = deps
  const db = context.database.db
  const load = async (id: number): Promise<UserRow> => {
    const [row] = await db.select().from(users).where(eq(users.id, id))
    if (!row) throw new GatewayError(404, 'not_found', 'User not found')
    return row
  }
  return new Elysia()
    .use(apiBase(deps))
    .post(
      '/users/me/two-factor/setup',
      async ({ actor }) => {
        const user = await load(actor.id)
        if (user.totpEnabled) throw new GatewayError(409, 'conflict', 'Two-factor sign-in is already on; turn it off first to enrol a new device')
        const secret = newTotpSecret()
        await db
          .update(users)
          .set({ totpSecretEncrypted: context.secretBox.seal(secret), totpLastStep: null })
          .where(eq(users.id, user.id))
        return { secret, otpauthUrl: totpUrl(secret, user.username) }
      },
      {
        ...access('user', {
          operationId: 'setupTwoFactor',
          tags,
          summary: 'Start TOTP enrolment: a new secret for the authenticator app (not active until confirmed)',
        }),
        response: withErrors({ 200: t.Object({ secret: t.String(), otpauthUrl: t.String() }) }),
      },
    )
    .post(
      '/users/me/two-factor/enable',
      async ({ actor, body }) => {
        const user = await load(actor.id)
        if (user.totpEnabled) throw new GatewayError(409, 'conflict', 'Two-factor sign-in is already on')
        if (!user.totpSecretEncrypted) throw new GatewayError(400, 'invalid_request', 'Start with POST /api/users/me/two-factor/setup')
        if (!(await verifySecondFactor(context, user, body.code)))
          throw new GatewayError(400, 'invalid_request', 'code: not the current code of the authenticator app', { param: 'code' })
        const recovery = newRecoveryCodes()
        await db.update(users).set({ totpEnabled: true, recoveryCodeHashes: recovery.hashes }).where(eq(users.id, user.id))
        context.logWriter.write({ type: 'manage', userId: user.id, username: user.username, content: 'two-factor sign-in turned on' })
        return { recoveryCodes: recovery.codes }
      },
      {
        ...access(
          'user',
          { operationId: 'enableTwoFactor', tags, summary: 'Confirm enrolment with a current code; returns ten single-use recovery codes, shown once' },
          Code,
        ),
        response: withErrors({ 200: t.Object({ recoveryCodes: t.Array(t.String()) }) }),
      },
    )
    .post(
      '/users/me/two-factor/disable',
      async ({ actor, body }) => {
        const user = await load(actor.id)
        if (!user.totpEnabled) throw new GatewayError(409, 'conflict', 'Two-factor sign-in is not on')
        if (!(await verifySecondFactor(context, user, body.code))) throw new GatewayError(400, 'invalid_request', 'code: not a valid code', { param: 'code' })
        await db.update(users).set({ totpEnabled: false, totpSecretEncrypted: null, totpLastStep: null, recoveryCodeHashes: [] }).where(eq(users.id, user.id))
        context.logWriter.write({ type: 'manage', userId: user.id, username: user.username, content: 'two-factor sign-in turned off' })
        return { enabled: false }
      },
      {
        ...access('user', { operationId: 'disableTwoFactor', tags, summary: 'Turn two-factor sign-in off (needs a current or recovery code)' }, Code),
        response: withErrors({ 200: t.Object({ enabled: t.Boolean() }) }),
      },
    )
}
