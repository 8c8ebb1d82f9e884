import { Elysia, t } from 'elysia'
import { and, asc, eq } from 'drizzle-orm'
import { oauthAccounts, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { IdParams } from '../../schemas/admin/common.ts'
import { OAuthAccountView } from '../../schemas/admin/sign-in.ts'
import { toOAuthAccountView } from './external-sign-in.ts'
import { access, apiBase, withErrors } from '../http/api-base.ts'
import type { IdentityDeps } from './deps.ts'
import { providerName } from './oauth-providers.ts'

const tags = ['linked-accounts']

/** Linked sign-in identities: your own (list, unlink) and, for admins, any user's. */
export function oauthAccountRoutes(deps: IdentityDeps) {
  const { context } = deps
  const db = context.database.db
  const listFor = async (userId: number) => {
    const settings = await deps.signIn.get()
    const rows = await db.select().from(oauthAccounts).where(eq(oauthAccounts.userId, userId)).orderBy(asc(oauthAccounts.id))
    return rows.map((row) => toOAuthAccountView(row, settings))
  }
  return new Elysia()
    .use(apiBase(deps))
    .get('/users/me/oauth-accounts', ({ actor }) => listFor(actor.id), {
      ...access('user', {
        operationId: 'listMyOAuthAccounts',
        tags,
        summary: 'The sign-in identities (GitHub, Discord, LinuxDO, OIDC, Telegram) linked to your account',
      }),
      response: withErrors({ 200: t.Array(OAuthAccountView) }),
    })
    .delete(
      '/users/me/oauth-accounts/:id',
      async ({ actor: me, params, set }) => {
        const removed = await db.transaction(async (tx) => {
          // Locking the user row serialises concurrent unlinks, so two of them cannot both pass the "last way in" check.
          const [user] = await tx.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, me.id)).for('update')
          const linked = await tx.select().from(oauthAccounts).where(eq(oauthAccounts.userId, me.id))
          const target = linked.find((row) => row.id === params.id)
          if (!target) throw new GatewayError(404, 'not_found', `Linked account ${params.id} does not exist`)
          if (!user?.passwordHash && linked.length === 1) {
            throw new GatewayError(409, 'conflict', 'This is your only way to sign in: link another account or have a password set before unlinking it')
          }
          await tx.delete(oauthAccounts).where(and(eq(oauthAccounts.id, target.id), eq(oauthAccounts.userId, me.id)))
          return target
        })
        const settings = await deps.signIn.get()
        context.logWriter.write({
          type: 'manage',
          userId: me.id,
          username: me.username,
          content: `${providerName(removed.provider, settings.oidc.displayName)} account "${removed.login ?? removed.subject}" unlinked`,
          details: { provider: removed.provider, accountId: removed.id },
        })
        set.status = 204
        return undefined
      },
      {
        ...access('user', { operationId: 'unlinkMyOAuthAccount', tags, summary: 'Unlink a sign-in identity (refused when it is your last way to sign in)' }),
        params: IdParams,
        response: withErrors({ 204: t.Void() }),
      },
    )
    .get(
      '/users/:id/oauth-accounts',
      async ({ params }) => {
        const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, params.id))
        if (!user) throw new GatewayError(404, 'not_found', `User ${params.id} does not exist`)
        return listFor(user.id)
      },
      {
        ...access('admin', { operationId: 'listUserOAuthAccounts', tags, summary: "A user's linked sign-in identities" }),
        params: IdParams,
        response: withErrors({ 200: t.Array(OAuthAccountView) }),
      },
    )
}
