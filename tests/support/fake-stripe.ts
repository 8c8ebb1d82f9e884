import Stripe from 'stripe'
import type { Server } from 'bun'

// A fake Stripe API on 127.0.0.1 for the top-up tests: it creates Checkout Sessions the way Stripe
// answers POST /v1/checkout/sessions (form-encoded request, JSON Session object, Idempotency-Key
// honoured), serves a bare checkout page whose Pay button marks the session paid, delivers the
// signed `checkout.session.completed` webhook and redirects to the success URL; tests can also build
// and deliver any event (expired, async failure, refunds) signed with the webhook secret.
// see https://docs.stripe.com/api/checkout/sessions/object and https://docs.stripe.com/api/events/object

type Json = Record<string, unknown>

/** A Checkout Session as the fake keeps it (the fields the gateway reads, as Stripe names them). */
export interface FakeSession {
  id: string
  object: 'checkout.session'
  mode: string
  status: 'open' | 'complete' | 'expired'
  payment_status: 'unpaid' | 'paid'
  amount_total: number
  currency: string
  client_reference_id: string | null
  metadata: Record<string, string>
  payment_intent: string | null
  success_url: string
  cancel_url: string
  url: string
  line_items_name: string
}

/** A running fake Stripe. */
export interface FakeStripe {
  /** Base URL for the gateway's `stripe.apiUrl` setting. */
  readonly url: string
  /** Sessions created, by id. */
  readonly sessions: Map<string, FakeSession>
  /** Secret keys seen in Authorization headers. */
  readonly keysSeen: string[]
  /** Where the Pay button sends its webhook, and the secret it signs with. */
  setWebhook(url: string, secret: string): void
  /** Marks a session paid (as the checkout page does) and returns it. */
  pay(sessionId: string): FakeSession
  /** An event of `type` about `object`, as Stripe sends it. */
  event(type: string, object: Json): Json
  /** A `charge.refunded` event for a paid session's payment, with `refunded` minor units refunded so far. */
  refundEvent(sessionId: string, refunded: number): Json
  /** The Stripe-Signature header of a payload, from the stripe package's test helper. */
  sign(payload: string, secret?: string): Promise<string>
  /** Posts an event to the webhook URL, signed (or with the given signature); returns the response. */
  deliver(event: Json, signature?: string): Promise<Response>
  stop(): Promise<void>
}

/** The stripe package's own webhook helper (signing needs no real key). */
const helper = new Stripe('sk_test_fake_signing_only')

let serial = 0
const newId = (prefix: string) => `${prefix}_test_${Date.now().toString(36)}${(serial++).toString(36).padStart(4, '0')}`

/** Starts the fake on a free port. */
export function startFakeStripe(): FakeStripe {
  const sessions = new Map<string, FakeSession>()
  const byIdempotencyKey = new Map<string, FakeSession>()
  const keysSeen: string[] = []
  let webhook: { url: string; secret: string } | undefined
  let base = ''

  const stripeError = (status: number, message: string) => Response.json({ error: { type: 'invalid_request_error', message } }, { status })

  function createSession(form: URLSearchParams, idempotencyKey: string | null): Response {
    if (idempotencyKey && byIdempotencyKey.has(idempotencyKey)) return Response.json(byIdempotencyKey.get(idempotencyKey))
    const unitAmount = Number(form.get('line_items[0][price_data][unit_amount]'))
    const quantity = Number(form.get('line_items[0][quantity]') ?? '1')
    const currency = form.get('line_items[0][price_data][currency]')
    if (!Number.isInteger(unitAmount) || !currency) return stripeError(400, 'Missing line_items[0][price_data]')
    const success = form.get('success_url')
    const cancel = form.get('cancel_url')
    if (!success || !cancel) return stripeError(400, 'Missing success_url or cancel_url')
    const metadata: Record<string, string> = {}
    for (const [name, value] of form) {
      const match = /^metadata\[(.+)\]$/.exec(name)
      if (match?.[1]) metadata[match[1]] = value
    }
    const id = newId('cs')
    const session: FakeSession = {
      id,
      object: 'checkout.session',
      mode: form.get('mode') ?? 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: unitAmount * quantity,
      currency,
      client_reference_id: form.get('client_reference_id'),
      metadata,
      payment_intent: null,
      success_url: success,
      cancel_url: cancel,
      url: `${base}/pay/${id}`,
      line_items_name: form.get('line_items[0][price_data][product_data][name]') ?? '',
    }
    sessions.set(id, session)
    if (idempotencyKey) byIdempotencyKey.set(idempotencyKey, session)
    return Response.json(session)
  }

  function pay(sessionId: string): FakeSession {
    const session = sessions.get(sessionId)
    if (!session) throw new Error(`no session ${sessionId}`)
    session.status = 'complete'
    session.payment_status = 'paid'
    session.payment_intent ??= newId('pi')
    return session
  }

  function event(type: string, object: Json): Json {
    return {
      id: newId('evt'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    }
  }

  async function sign(payload: string, secret = webhook?.secret ?? ''): Promise<string> {
    // Under Bun the package signs with Web Crypto, which only has the asynchronous form of generateTestHeaderString.
    return helper.webhooks.generateTestHeaderStringAsync({ payload, secret })
  }

  async function deliver(body: Json, signature?: string): Promise<Response> {
    if (!webhook) throw new Error('setWebhook first')
    const payload = JSON.stringify(body, null, 2)
    return fetch(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature ?? (await sign(payload)) },
      body: payload,
    })
  }

  function checkoutPage(session: FakeSession): Response {
    const html = `<!doctype html><html><head><title>Fake Stripe Checkout</title></head><body>
<h1>Fake Stripe Checkout</h1><p id="summary">${session.line_items_name}: ${(session.amount_total / 100).toFixed(2)} ${session.currency.toUpperCase()}</p>
<form method="post" action="/pay/${session.id}"><button id="pay" type="submit">Pay</button></form>
<a id="cancel" href="${session.cancel_url}">Cancel</a></body></html>`
    return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } })
  }

  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const pageMatch = /^\/pay\/([A-Za-z0-9_]+)$/.exec(url.pathname)
      if (pageMatch?.[1]) {
        const session = sessions.get(pageMatch[1])
        if (!session) return new Response('no such session', { status: 404 })
        if (request.method === 'GET') return checkoutPage(session)
        pay(session.id)
        const delivered = await deliver(event('checkout.session.completed', { ...session }))
        if (!delivered.ok) return new Response(`webhook answered ${delivered.status}: ${await delivered.text()}`, { status: 502 })
        return Response.redirect(session.success_url, 303)
      }
      const authorization = request.headers.get('authorization') ?? ''
      if (!authorization.startsWith('Bearer sk_')) return stripeError(401, 'Invalid API Key provided')
      keysSeen.push(authorization.slice('Bearer '.length))
      if (request.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        return createSession(new URLSearchParams(await request.text()), request.headers.get('idempotency-key'))
      }
      const sessionMatch = /^\/v1\/checkout\/sessions\/([A-Za-z0-9_]+)$/.exec(url.pathname)
      if (request.method === 'GET' && sessionMatch?.[1]) {
        const session = sessions.get(sessionMatch[1])
        return session ? Response.json(session) : stripeError(404, `No such checkout.session: '${sessionMatch[1]}'`)
      }
      return stripeError(404, `Unrecognized request URL (${request.method}: ${url.pathname})`)
    },
  })
  base = `http://127.0.0.1:${server.port}`

  return {
    url: base,
    sessions,
    keysSeen,
    setWebhook(url, secret) {
      webhook = { url, secret }
    },
    pay,
    event,
    refundEvent(sessionId, refunded) {
      const session = sessions.get(sessionId)
      if (!session?.payment_intent) throw new Error(`session ${sessionId} is not paid`)
      return event('charge.refunded', {
        id: newId('ch'),
        object: 'charge',
        amount: session.amount_total,
        amount_captured: session.amount_total,
        amount_refunded: refunded,
        currency: session.currency,
        payment_intent: session.payment_intent,
        paid: true,
        refunded: refunded >= session.amount_total,
        status: 'succeeded',
      })
    },
    sign,
    deliver,
    async stop() {
      await server.stop(true)
    },
  }
}
