import { Elysia, t } from 'elysia'
import { GatewayError } from '../../errors.ts'
import { Page } from '../../../schemas/admin/common.ts'
import { TopupCreate, TopupCreated, TopupListQuery, TopupOptions, TopupSettingsPatch, TopupSettingsView, TopupView } from '../../../schemas/admin/topups.ts'
import { createTopupOrders, toTopupView } from '../../topup/topup-orders.ts'
import { createStripeTopup } from '../../topup/stripe-topup.ts'
import { createEpayTopup } from '../../topup/epay-topup.ts'
import { quoteOrder, type AmountRules } from '../../topup/topup-amounts.ts'
import { callbackUrls, createTopupSettingsStore, toTopupSettingsView, type TopupSettings } from '../../topup/topup-settings.ts'
import { renderAdminError } from '../../http/errors.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { requestOrigin } from '../../identity/oauth-state.ts'
import { routeDetail } from '../../http/route-doc.ts'
import { patchedFields } from '../../identity/sign-in-settings.ts'

const tags = ['topups']

/** The dashboard page users come back to from a payment page. */
const TOPUP_PAGE = '/topup'

/** A Stripe event as the webhook receives it (read raw for the signature check, so only documented here). */
const StripeEventBody = t.Object(
  { id: t.String(), object: t.Literal('event'), type: t.String(), data: t.Object({ object: t.Object({}, { additionalProperties: true }) }) },
  { additionalProperties: true },
)

/** The ways to pay that are switched on, as users choose them. */
function enabledMethods(settings: TopupSettings): Array<{ id: string; provider: 'stripe' | 'epay'; name: string; amounts: AmountRules }> {
  const methods: Array<{ id: string; provider: 'stripe' | 'epay'; name: string; amounts: AmountRules }> = []
  if (settings.stripe.enabled) methods.push({ id: 'stripe', provider: 'stripe', name: 'Stripe', amounts: settings.stripe.amounts })
  if (settings.epay.enabled)
    for (const method of settings.epay.methods) methods.push({ id: method.type, provider: 'epay', name: method.name, amounts: settings.epay.amounts })
  return methods
}

/** Online top-up: orders for users, settings for admins, and the providers' callbacks. */
export function topupRoutes(deps: AdminDeps) {
  const { context } = deps
  const settingsStore = createTopupSettingsStore(context)
  const orders = createTopupOrders(context)
  const stripe = createStripeTopup(context, orders)
  const epay = createEpayTopup(context, orders)
  const publicOrigin = async (request: Request) => (await deps.signIn.get()).publicUrl || requestOrigin(request)

  const userRoutes = new Elysia()
    .use(apiBase(deps))
    .get('/topups/options', async () => ({ methods: enabledMethods(await settingsStore.get()) }), {
      ...access('user', {
        operationId: 'getTopupOptions',
        tags,
        summary: 'The ways to pay that are switched on, with their amounts, discounts and quota per currency unit',
      }),
      response: withErrors({ 200: TopupOptions }),
    })
    .get(
      '/topups',
      ({ actor: me, query }) => {
        const isAdmin = me.role !== 'user'
        if (!isAdmin && query.userId !== undefined && query.userId !== me.id)
          throw new GatewayError(403, 'forbidden', 'userId: you may list only your own orders', { param: 'userId' })
        return orders.list(query, isAdmin ? undefined : me.id)
      },
      {
        ...access('user', {
          operationId: 'listTopups',
          tags,
          summary: 'Top-up orders, newest first: every order for admins (filters: userId, status, provider, tradeNo), your own for users',
        }),
        query: TopupListQuery,
        response: withErrors({ 200: Page(TopupView) }),
      },
    )
    .post(
      '/topups',
      async ({ actor: me, body, request, set }) => {
        const settings = await settingsStore.get()
        const method = enabledMethods(settings).find((candidate) => candidate.id === body.method)
        if (!method) throw new GatewayError(400, 'invalid_request', `method: ${body.method} is not an enabled payment method`, { param: 'method' })
        const quote = quoteOrder(body.amount, method.amounts)
        const order = await orders.create({ userId: me.id, provider: method.provider, method: method.id, quote })
        const origin = await publicOrigin(request)
        try {
          const redirect =
            method.provider === 'stripe'
              ? await stripe.checkout(settings.stripe, order, `${origin}${TOPUP_PAGE}`)
              : epay.submitForm(settings.epay, order, { notifyUrl: callbackUrls(origin).epayNotify, returnUrl: `${origin}${TOPUP_PAGE}` })
          const current = (await orders.byTradeNo(order.tradeNo)) ?? order
          set.status = 201
          return { order: toTopupView(current, me.username), redirect }
        } catch (error) {
          await orders.abandon(order.id, error instanceof Error ? error.message : String(error))
          if (error instanceof GatewayError) throw error
          context.logger.log('warn', 'top-up: the payment provider refused the order', {
            provider: method.provider,
            error: error instanceof Error ? error.message : String(error),
          })
          throw new GatewayError(502, 'upstream_error', `${method.provider === 'stripe' ? 'Stripe' : 'EPay'} could not start the payment; try again later`)
        }
      },
      {
        ...access(
          'user',
          {
            operationId: 'createTopup',
            tags,
            summary: 'Start a top-up: creates a pending order and returns where the browser pays (a Checkout link, or an EPay form to post)',
          },
          TopupCreate,
        ),
        response: withErrors({ 201: TopupCreated }),
      },
    )
    .get('/topups/settings', async ({ request }) => toTopupSettingsView(await settingsStore.get(), await publicOrigin(request)), {
      ...access('admin', { operationId: 'getTopupSettings', tags, summary: 'Stripe and EPay settings (secrets only as "set")' }),
      response: withErrors({ 200: TopupSettingsView }),
    })
    .patch(
      '/topups/settings',
      async ({ actor: me, body, request }) => {
        const updated = await settingsStore.update(body)
        const fields = patchedFields(body).sort()
        context.logWriter.write({
          type: 'manage',
          userId: me.id,
          username: me.username,
          content: `top-up settings changed: ${fields.join(', ')}`,
          details: { fields },
        })
        return toTopupSettingsView(updated, await publicOrigin(request))
      },
      {
        ...access(
          'admin',
          { operationId: 'updateTopupSettings', tags, summary: 'Change Stripe and EPay settings; a secret left out keeps the stored one, null removes it' },
          TopupSettingsPatch,
        ),
        response: withErrors({ 200: TopupSettingsView }),
      },
    )

  // The providers' callbacks: no session, no admin rate limit (a provider retries from few addresses),
  // errors still in the admin shape.
  const callbacks = new Elysia()
    .onError({ as: 'scoped' }, ({ code, error, set }) => {
      const { status, body } = renderAdminError(code, error)
      set.status = status
      return body
    })
    .post(
      '/topups/stripe/webhook',
      async ({ request }) => {
        const settings = await settingsStore.get()
        return stripe.webhook(settings.stripe, await request.text(), request.headers.get('stripe-signature'))
      },
      {
        detail: routeDetail('public', {
          operationId: 'stripeTopupWebhook',
          tags,
          relayBody: StripeEventBody,
          summary:
            'Stripe webhook (checkout.session.completed/async_payment_succeeded/expired/async_payment_failed, charge.refunded), verified with the signing secret',
        }),
        parse: 'none',
        response: withErrors({
          200: t.Object({
            received: t.Literal(true),
            outcome: t.Union([t.Literal('credited'), t.Literal('closed'), t.Literal('refunded'), t.Literal('unchanged'), t.Literal('ignored')]),
          }),
        }),
      },
    )
    .get(
      '/topups/epay/notify',
      async ({ request, set }) => {
        set.headers['content-type'] = 'text/plain; charset=utf-8'
        return (await epay.notify((await settingsStore.get()).epay, Object.fromEntries(new URL(request.url).searchParams))).answer
      },
      {
        detail: routeDetail('public', {
          operationId: 'epayTopupNotify',
          tags,
          summary: 'EPay payment notification (GET with query parameters, as EPay gateways send it); answers success or fail in plain text',
          responseContent: { 200: { 'text/plain': t.String() } },
        }),
        parse: 'none',
        response: withErrors({ 200: t.String() }),
      },
    )

  return new Elysia().use(userRoutes).use(callbacks)
}
