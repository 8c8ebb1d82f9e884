import { Elysia, t } from 'elysia'
import { eq } from 'drizzle-orm'
import { accessTokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { randomKey, sha256Hex } from '../security/crypto.ts'
import { Timestamp } from '../../schemas/admin/common.ts'
import { access, adminBase, withErrors, type AdminDeps } from './http.ts'

/** How long a login access token lasts. */
const LOGIN_TOKEN_DAYS = 7

/** Verifies against a fixed hash when the user is unknown, so timing does not reveal which usernames exist. */
const DECOY_HASH = Bun.password.hash('decoy-password-for-timing', { algorithm: 'argon2id' })

/** Password sign-in, answered with a bearer access token for the admin API. */
export function signInRoutes(deps: AdminDeps) {
  const { context } = deps
  const db = context.database.db
  return new Elysia({ prefix: '/api' })
    .use(adminBase(deps))
    .post('/auth/login', async ({ body }) => {
      const [user] = await db.select().from(users).where(eq(users.username, body.username))
      const valid = await Bun.password.verify(body.password, user?.passwordHash ?? (await DECOY_HASH))
      if (!user || !user.passwordHash || !valid) throw new GatewayError(401, 'unauthorized', 'Wrong username or password')
      if (user.status !== 'enabled') throw new GatewayError(403, 'forbidden', 'This account is disabled')
      const accessToken = `hat_${randomKey(40)}`
      const expiresAt = new Date(context.now().getTime() + LOGIN_TOKEN_DAYS * 86_400_000)
      await db.insert(accessTokens).values({ userId: user.id, name: 'login', tokenHash: sha256Hex(accessToken), expiresAt })
      context.logWriter.write({ type: 'login', userId: user.id, username: user.username, content: 'signed in with password' })
      return { accessToken, expiresAt: expiresAt.toISOString(), user: { id: user.id, username: user.username, role: user.role, group: user.group } }
    }, {
      ...access('public', { operationId: 'login', tags: ['auth'], summary: 'Sign in with username and password; returns a bearer access token' }),
      body: t.Object({ username: t.String({ minLength: 1, maxLength: 64 }), password: t.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
      response: withErrors({ 200: t.Object({ accessToken: t.String(), expiresAt: Timestamp, user: t.Object({ id: t.Integer(), username: t.String(), role: t.String(), group: t.String() }) }) }),
    })
}
