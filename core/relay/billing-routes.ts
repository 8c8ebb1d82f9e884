import { Elysia } from 'elysia'
import { eq } from 'drizzle-orm'
import { tokens, users } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { UNITS_PER_USD } from '../billing/price-usage.ts'
import type { RelayServices } from './pipeline.ts'
import { relayRouteFailure, requestIdOf } from './routes.ts'
import { clientIpOf } from '../http/client-ip.ts'
import type { RelayExtraRoute } from './relay-openapi.ts'

// OpenAI's legacy billing endpoints, which key-balance tools built for New API call with a relay key:
// the subscription's hard limit is what the key can spend in total, usage is in cents.

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits

/** A key's spendable total and its spend so far, in USD; unlimited keys report their owner's balance. */
async function keyFunds(services: RelayServices, request: Request, clientIp: string | undefined) {
  const authorization = request.headers.get('authorization')
  const key = authorization && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : undefined
  const caller = await services.authenticator.authenticate(key, clientIp)
  await services.context.ledger.sync()
  const db = services.context.database.db
  const [token] = await db.select().from(tokens).where(eq(tokens.id, caller.token.id))
  const [user] = await db.select().from(users).where(eq(users.id, caller.user.id))
  if (!token || !user) throw new GatewayError(401, 'invalid_api_key', 'This API key no longer exists')
  const remaining = token.unlimited ? user.quota : Math.min(token.remainQuota, user.quota)
  const used = token.usedQuota
  return { totalUsd: (remaining + used) / UNITS_PER_USD, usedUsd: used / UNITS_PER_USD, expiresAt: token.expiresAt }
}

/** The key-balance routes, as the relay document lists them (bearer key, OpenAI error shape). */
export const BILLING_ROUTES: readonly RelayExtraRoute[] = ['', '/v1'].flatMap((prefix) => [
  {
    path: `${prefix}/dashboard/billing/subscription`,
    summary: `The key's spendable total in USD (OpenAI's legacy billing shape${prefix ? '' : ', without /v1'})`,
    tag: 'billing' as const,
    errorDialect: 'openai.chat',
    security: ['bearerKey' as const],
  },
  {
    path: `${prefix}/dashboard/billing/usage`,
    summary: `The key's spend so far in cents (OpenAI's legacy billing shape${prefix ? '' : ', without /v1'})`,
    tag: 'billing' as const,
    errorDialect: 'openai.chat',
    security: ['bearerKey' as const],
  },
])

/** Mounts `/dashboard/billing/{subscription,usage}`, with and without `/v1`. */
export function billingRoutes(services: RelayServices) {
  const app = new Elysia({ name: 'billing-routes' })
  const codec = services.context.registry.dialect('openai.chat')
  const fail = (error: unknown, set: { headers: object }) => relayRouteFailure(services, codec, requestIdOf(set), error)
  for (const prefix of ['', '/v1']) {
    app.get(
      `${prefix}/dashboard/billing/subscription`,
      async ({ request, server, set }) => {
        try {
          const funds = await keyFunds(services, request, clientIpOf(server, request, services.context.config.trustedProxies))
          const limit = round(funds.totalUsd, 6)
          return Response.json({
            object: 'billing_subscription',
            has_payment_method: true,
            soft_limit_usd: limit,
            hard_limit_usd: limit,
            system_hard_limit_usd: limit,
            access_until: funds.expiresAt ? Math.floor(funds.expiresAt.getTime() / 1000) : 0,
          })
        } catch (error) {
          return fail(error, set)
        }
      },
      { detail: { hide: true } },
    )
    app.get(
      `${prefix}/dashboard/billing/usage`,
      async ({ request, server, set }) => {
        try {
          const funds = await keyFunds(services, request, clientIpOf(server, request, services.context.config.trustedProxies))
          return Response.json({ object: 'list', total_usage: round(funds.usedUsd * 100, 4) })
        } catch (error) {
          return fail(error, set)
        }
      },
      { detail: { hide: true } },
    )
  }
  return app
}
