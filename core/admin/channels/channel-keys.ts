import { Elysia } from 'elysia'
import { eq } from 'drizzle-orm'
import { channels, users } from '../../db/schema.ts'
import { GatewayError } from '../../errors.ts'
import { AdminError, IdParams } from '../../../schemas/admin/common.ts'
import { KeyRevealRequest, RevealedKeys } from '../../../schemas/admin/channel-actions.ts'
import { auditChannel } from './channel-service.ts'
import { confirmIdentity } from '../../identity/confirm-identity.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'

/**
 * The one place a channel's keys leave the gateway in the clear: admins only, after confirming their
 * password (and second factor), never cached, and written to the audit log (without the keys).
 */
export function channelKeyRoutes(deps: AdminDeps) {
  const { context } = deps
  const db = context.database.db
  return new Elysia().use(apiBase(deps)).post(
    '/channels/:id/keys/reveal',
    async ({ actor: me, body, clientIp, params, set }) => {
      set.headers['cache-control'] = 'no-store'
      const [user] = await db.select().from(users).where(eq(users.id, me.id))
      if (!user) throw new GatewayError(401, 'unauthorized', 'Sign in first')
      await confirmIdentity(context, user, { password: body.password, passwordField: 'password', code: body.code, withSecondFactor: true })
      const [channel] = await db.select().from(channels).where(eq(channels.id, params.id))
      if (!channel) throw new GatewayError(404, 'not_found', `Channel ${params.id} does not exist`)
      const keys = JSON.parse(context.secretBox.open(channel.keysEncrypted)) as string[]
      auditChannel(context, me, channel.id, `channel ${channel.id} "${channel.name}" keys revealed to ${me.username}`, {
        keyCount: keys.length,
        ip: clientIp ?? null,
      })
      return { id: channel.id, keys }
    },
    {
      ...access(
        'admin',
        {
          operationId: 'revealChannelKeys',
          tags: ['channels'],
          summary: "Show a channel's keys in the clear: needs your password (and two-factor code); audited, never cached",
        },
        KeyRevealRequest,
      ),
      params: IdParams,
      response: withErrors({ 200: RevealedKeys, 429: AdminError }),
    },
  )
}
