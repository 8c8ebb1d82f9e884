import type { Server } from 'bun'
import { loadFixture } from './fixtures.ts'

// Fake OpenAI-compatible vendors on 127.0.0.1 that answer their account-balance endpoint in the vendor's
// documented shape (the fixtures in plugins/openai/__fixtures__/, amount adjustable) and chat completions
// with the recorded OpenAI answer, so a channel pointed at one can both be read and carry traffic.
// see https://openrouter.ai/docs/api/api-reference/credits/get-credits (GET /api/v1/credits; errors {error: {code, message}})
// see https://api-docs.deepseek.com/api/get-user-balance (GET /user/balance; amounts are strings)
// see https://docs.siliconflow.cn/en/api-reference/userinfo/get-user-info (GET /v1/user/info; code 20000)
// see https://platform.moonshot.cn/docs/api/balance (GET /v1/users/me/balance; code 0)

type Json = Record<string, unknown>

/** The vendors the fake can play. */
export type BalanceVendor = 'openrouter' | 'deepseek' | 'siliconflow' | 'moonshot'

/** How the fake answers the next balance request. */
export type BalanceFault =
  /** This HTTP status, with the vendor's recorded error body when it has one (else `body`, else a text line). */
  | { kind: 'status'; status: number; body?: unknown }
  /** A redirect to `location`; a client following it would carry the key there. */
  | { kind: 'redirect'; location: string }
  /** Wait this long before answering normally. */
  | { kind: 'slow'; delayMs: number }
  /** HTTP 200 with a body that is not the vendor's shape. */
  | { kind: 'wrong-shape' }

/** A request the fake received. */
export interface BalanceVendorRequest {
  method: string
  path: string
  /** Lower-cased header names. */
  headers: Record<string, string>
}

/** A running fake vendor. */
export interface FakeBalanceVendor {
  readonly vendor: BalanceVendor
  /** The base URL a channel uses, shaped like the vendor's own (`…/api/v1` for OpenRouter, `…/v1` for SiliconFlow and Moonshot). */
  readonly baseUrl: string
  /** The balance path this vendor answers. */
  readonly balancePath: string
  /** Every request received, oldest first. */
  readonly requests: BalanceVendorRequest[]
  /** Balance requests received so far. */
  balanceRequests(): number
  /** Chat completion requests received so far. */
  chatRequests(): number
  /** The most balance requests that were being answered at the same time. */
  maxConcurrentBalance(): number
  /** The spendable amount the next balance answers report. */
  setAmount(amount: number): void
  /** Answers the next balance requests this way, once each, before normal answers resume. */
  queue(...faults: BalanceFault[]): void
  stop(): Promise<void>
}

/** Where each vendor serves its balance, the base URL shape its channels use, its fixture and its 401 body. */
const VENDORS: Record<BalanceVendor, { path: string; basePath: string; fixture: string; unauthorized?: string }> = {
  openrouter: { path: '/api/v1/credits', basePath: '/api/v1', fixture: 'openrouter-credits.json', unauthorized: 'openrouter-error-401.json' },
  deepseek: { path: '/user/balance', basePath: '', fixture: 'deepseek-balance.json', unauthorized: 'deepseek-error-401.json' },
  siliconflow: { path: '/v1/user/info', basePath: '/v1', fixture: 'siliconflow-user-info.json' },
  moonshot: { path: '/v1/users/me/balance', basePath: '/v1', fixture: 'moonshot-balance.json', unauthorized: 'moonshot-error-401.json' },
}

/** The recorded balance body with its spendable amount set to `amount`, in the vendor's own fields and types. */
export function balanceBody(vendor: BalanceVendor, amount: number): Json {
  const fixture = loadFixture<Json>('openai', VENDORS[vendor].fixture)
  if (vendor === 'openrouter') {
    const data = fixture.data as { total_credits: number }
    return { ...fixture, data: { ...data, total_usage: Number((data.total_credits - amount).toFixed(6)) } }
  }
  if (vendor === 'deepseek') {
    const [main, ...rest] = fixture.balance_infos as Json[]
    return { ...fixture, balance_infos: [{ ...main, total_balance: amount.toFixed(2) }, ...rest] }
  }
  if (vendor === 'siliconflow') return { ...fixture, data: { ...(fixture.data as Json), totalBalance: amount.toFixed(2) } }
  return { ...fixture, data: { ...(fixture.data as Json), available_balance: amount } }
}

/** The amount each fixture reports as recorded (what `setAmount` has not changed). */
export const RECORDED_AMOUNTS: Record<BalanceVendor, { amount: number; currency: string }> = {
  openrouter: { amount: 74.75, currency: 'USD' },
  deepseek: { amount: 110, currency: 'CNY' },
  siliconflow: { amount: 88.88, currency: 'CNY' },
  moonshot: { amount: 49.58894, currency: 'CNY' },
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

/** Starts a fake vendor; `key` is the only bearer key it accepts (any non-empty key when absent). */
export async function startFakeBalanceVendor(vendor: BalanceVendor, options: { key?: string } = {}): Promise<FakeBalanceVendor> {
  const spec = VENDORS[vendor]
  const requests: BalanceVendorRequest[] = []
  const faults: BalanceFault[] = []
  let amount: number | undefined
  let inFlight = 0
  let maxInFlight = 0

  function unauthorized(): Response {
    if (spec.unauthorized) return json(401, loadFixture('openai', spec.unauthorized))
    return new Response('Invalid token', { status: 401, headers: { 'content-type': 'text/plain' } })
  }

  async function balance(): Promise<Response> {
    const fault = faults.shift()
    if (fault?.kind === 'status') {
      if (fault.status === 401) return unauthorized()
      return fault.body === undefined ? new Response(`HTTP ${fault.status}`, { status: fault.status }) : json(fault.status, fault.body)
    }
    if (fault?.kind === 'redirect') return new Response(null, { status: 302, headers: { location: fault.location } })
    if (fault?.kind === 'wrong-shape') return json(200, { ok: true })
    if (fault?.kind === 'slow') await Bun.sleep(fault.delayMs)
    return json(200, amount === undefined ? loadFixture('openai', spec.fixture) : balanceBody(vendor, amount))
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    requests.push({ method: request.method, path: url.pathname, headers: Object.fromEntries(request.headers) })
    const key = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
    if (!key || (options.key !== undefined && key !== options.key)) return unauthorized()
    if (request.method === 'GET' && url.pathname === spec.path) {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        return await balance()
      } finally {
        inFlight -= 1
      }
    }
    if (request.method === 'POST' && url.pathname.endsWith('/chat/completions')) {
      const body = (await request.json().catch(() => ({}))) as Json
      const answer = loadFixture<Json>('openai', 'openai-chat-text.json')
      return json(200, { ...answer, model: body.model ?? answer.model })
    }
    return json(404, { error: { message: `no route ${request.method} ${url.pathname}`, type: 'invalid_request_error' } })
  }

  const server: Server<undefined> = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handle })
  const origin = `http://127.0.0.1:${server.port}`
  return {
    vendor,
    baseUrl: `${origin}${spec.basePath}`,
    balancePath: spec.path,
    requests,
    balanceRequests: () => requests.filter((entry) => entry.path === spec.path).length,
    chatRequests: () => requests.filter((entry) => entry.path.endsWith('/chat/completions')).length,
    maxConcurrentBalance: () => maxInFlight,
    setAmount(next) {
      amount = next
    },
    queue(...next) {
      faults.push(...next)
    },
    async stop() {
      await server.stop(true)
    },
  }
}
