import Stripe from 'stripe'
import type { AppContext } from '../app-context.ts'
import { GatewayError } from '../errors.ts'
import type { TopupRedirect } from '../../schemas/admin/topups.ts'
import { minorToText } from './topup-amounts.ts'
import type { TopupOrders } from './topup-orders.ts'
import type { TopupSettings } from './topup-settings.ts'

// Stripe Checkout: a Checkout Session per order (our figures, our order number as
// client_reference_id), and the webhook that verifies each event with the signing secret
// (constructEventAsync: under Bun the package uses Web Crypto, which is asynchronous only).
// see https://docs.stripe.com/api/checkout/sessions/create and https://docs.stripe.com/webhooks

type StripeSettings = TopupSettings['stripe']
type OrderRow = Awaited<ReturnType<TopupOrders['create']>>

/** What a webhook did, for the answer and the tests. */
export type StripeWebhookResult = { received: true; outcome: 'credited' | 'closed' | 'refunded' | 'unchanged' | 'ignored' }

/** The `stripe` client options for a configured API URL (a local stand-in, stripe-mock); Stripe's own when empty. */
export function stripeClientOptions(apiUrl: string): { host?: string; port?: number; protocol?: 'http' | 'https' } {
  if (!apiUrl) return {}
  const url = new URL(apiUrl)
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  return { host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol }
}

/** Stripe Checkout for top-ups: session creation and the webhook. */
export function createStripeTopup(context: AppContext, orders: TopupOrders) {
  let cached: { key: string; client: Stripe } | undefined

  function client(settings: StripeSettings): Stripe {
    if (!settings.secretKeySealed) throw new GatewayError(404, 'provider_disabled', 'Stripe top-up is not configured')
    const secretKey = context.secretBox.open(settings.secretKeySealed)
    const key = `${settings.apiUrl}\n${secretKey}`
    if (cached?.key !== key) cached = { key, client: new Stripe(secretKey, { ...stripeClientOptions(settings.apiUrl), maxNetworkRetries: 1, timeout: 20_000 }) }
    return cached.client
  }

  /** The amount and currency the session reports must be the order's own; anything else is refused. */
  function amountProblem(order: OrderRow, amount: number | null, currency: string | null): string | undefined {
    if (amount === order.paidMinor && (currency ?? '').toUpperCase() === order.currency) return undefined
    return `Stripe reported ${amount ?? '?'} ${(currency ?? '?').toUpperCase()} (minor units) for order ${order.tradeNo}, which charges ${order.paidMinor} ${order.currency}`
  }

  async function onSessionPaid(session: Stripe.Checkout.Session, event: Stripe.Event): Promise<StripeWebhookResult> {
    const order = session.client_reference_id ? await orders.byTradeNo(session.client_reference_id) : undefined
    if (!order || order.provider !== 'stripe' || (order.providerReference !== null && order.providerReference !== session.id))
      return { received: true, outcome: 'ignored' }
    if (session.payment_status !== 'paid') {
      // Paid later (bank debits): checkout.session.async_payment_succeeded will credit it.
      await orders.note(order.id, event as unknown as Record<string, unknown>)
      return { received: true, outcome: 'unchanged' }
    }
    const problem = amountProblem(order, session.amount_total, session.currency)
    if (problem) {
      context.logger.log('warn', 'top-up refused: amount differs from the order', { tradeNo: order.tradeNo, provider: 'stripe', problem })
      context.logWriter.write({
        type: 'system',
        userId: order.userId,
        content: `top-up ${order.tradeNo} refused: ${problem}`,
        details: { topupId: order.id, eventId: event.id },
      })
      throw new GatewayError(400, 'invalid_request', 'The paid amount does not match the order')
    }
    const paymentIntent = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id
    const outcome = await orders.credit(order.id, {
      lastEvent: event as unknown as Record<string, unknown>,
      providerReference: session.id,
      ...(paymentIntent ? { paymentReference: paymentIntent } : {}),
    })
    return { received: true, outcome: outcome.kind === 'credited' ? 'credited' : 'unchanged' }
  }

  async function onSessionClosed(session: Stripe.Checkout.Session, event: Stripe.Event, status: 'expired' | 'failed'): Promise<StripeWebhookResult> {
    const order = session.client_reference_id ? await orders.byTradeNo(session.client_reference_id) : undefined
    if (!order || order.provider !== 'stripe') return { received: true, outcome: 'ignored' }
    const outcome = await orders.close(order.id, status, event as unknown as Record<string, unknown>)
    return { received: true, outcome: outcome.kind === 'unchanged' && outcome.order.status === status ? 'closed' : 'unchanged' }
  }

  async function onChargeRefunded(charge: Stripe.Charge, event: Stripe.Event): Promise<StripeWebhookResult> {
    const paymentIntent = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id
    const order = paymentIntent ? await orders.byPaymentReference(paymentIntent) : undefined
    if (!order) return { received: true, outcome: 'ignored' }
    if (charge.currency.toUpperCase() !== order.currency) return { received: true, outcome: 'ignored' }
    const outcome = await orders.refund(order.id, charge.amount_refunded, event as unknown as Record<string, unknown>)
    return { received: true, outcome: outcome.kind === 'refunded' ? 'refunded' : 'unchanged' }
  }

  return {
    /** Creates the Checkout Session of a pending order and records its id; returns where to send the browser. */
    async checkout(settings: StripeSettings, order: OrderRow, returnBase: string): Promise<TopupRedirect> {
      const session = await client(settings).checkout.sessions.create(
        {
          mode: 'payment',
          client_reference_id: order.tradeNo,
          metadata: { tradeNo: order.tradeNo, userId: String(order.userId) },
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: order.currency.toLowerCase(),
                unit_amount: order.paidMinor,
                product_data: { name: `${settings.productName} (${minorToText(order.amountMinor, order.currency)} ${order.currency})` },
              },
            },
          ],
          success_url: `${returnBase}?order=${order.tradeNo}&result=paid`,
          cancel_url: `${returnBase}?order=${order.tradeNo}&result=cancelled`,
        },
        { idempotencyKey: `topup-${order.tradeNo}` },
      )
      if (!session.url) throw new GatewayError(502, 'upstream_error', 'Stripe created a Checkout Session without a URL')
      await orders.setReference(order.id, session.id)
      return { method: 'GET', url: session.url, fields: {} }
    },

    /** Verifies and applies one webhook delivery; a bad signature is a 400 and changes nothing. */
    async webhook(settings: StripeSettings, rawBody: string, signature: string | null): Promise<StripeWebhookResult> {
      if (!settings.webhookSecretSealed) throw new GatewayError(404, 'provider_disabled', 'Stripe top-up is not configured')
      let event: Stripe.Event
      try {
        event = await client(settings).webhooks.constructEventAsync(rawBody, signature ?? '', context.secretBox.open(settings.webhookSecretSealed))
      } catch (error) {
        context.logger.log('warn', 'Stripe webhook refused: bad signature', { error: error instanceof Error ? error.message : String(error) })
        throw new GatewayError(400, 'invalid_request', 'The Stripe-Signature header does not verify with the webhook signing secret')
      }
      switch (event.type) {
        case 'checkout.session.completed':
        case 'checkout.session.async_payment_succeeded':
          return onSessionPaid(event.data.object, event)
        case 'checkout.session.expired':
          return onSessionClosed(event.data.object, event, 'expired')
        case 'checkout.session.async_payment_failed':
          return onSessionClosed(event.data.object, event, 'failed')
        case 'charge.refunded':
          return onChargeRefunded(event.data.object, event)
        default:
          return { received: true, outcome: 'ignored' }
      }
    },
  }
}
