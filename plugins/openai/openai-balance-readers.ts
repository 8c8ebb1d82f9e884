import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { BalanceReadError, type BalanceReader, type ChannelContext, type UpstreamReply, type UpstreamRequest } from '@hanggent/plugin-sdk'
import { versionedUrl } from '@hanggent/plugin-sdk'
import { openAIAuthHeaders } from './openai-transport.ts'

// Balance readers of OpenAI-compatible vendors: each one GETs its vendor's documented account endpoint
// with the channel's bearer key and reads the spendable amount out of the vendor's own shape.
// see https://openrouter.ai/docs/api/api-reference/credits/get-credits — GET /api/v1/credits → {data: {total_credits, total_usage}} (USD)
// see https://api-docs.deepseek.com/api/get-user-balance — GET /user/balance → {is_available, balance_infos: [{currency, total_balance, granted_balance, topped_up_balance}]} (amounts are strings)
// see https://docs.siliconflow.cn/en/api-reference/userinfo/get-user-info — GET /v1/user/info → {code: 20000, status: true, data: {balance, chargeBalance, totalBalance}} (strings; CNY on .cn, USD on .com)
// see https://platform.moonshot.cn/docs/api/balance — GET /v1/users/me/balance → {code: 0, status: true, data: {available_balance, voucher_balance, cash_balance}} (CNY on .cn, USD on .ai)
// see https://platform.openai.com/docs/api-reference (legacy) — GET /v1/dashboard/billing/subscription → {hard_limit_usd}, /usage → {total_usage} in cents, as New API and one-api serve it

/** A decimal the vendors send either as a JSON number or as a string such as "110.00". */
const Decimal = Type.Union([Type.Number(), Type.String({ pattern: '^-?\\d+(\\.\\d+)?$' })])

const OpenRouterCredits = Type.Object({ data: Type.Object({ total_credits: Type.Number(), total_usage: Type.Number() }) })
const DeepSeekBalance = Type.Object({
  is_available: Type.Optional(Type.Boolean()),
  balance_infos: Type.Array(
    Type.Object({
      currency: Type.String({ minLength: 3, maxLength: 3 }),
      total_balance: Decimal,
      granted_balance: Type.Optional(Decimal),
      topped_up_balance: Type.Optional(Decimal),
    }),
  ),
})
const SiliconFlowUserInfo = Type.Object({
  code: Type.Optional(Type.Number()),
  message: Type.Optional(Type.String()),
  status: Type.Optional(Type.Boolean()),
  data: Type.Object({ totalBalance: Decimal, balance: Type.Optional(Decimal), chargeBalance: Type.Optional(Decimal), status: Type.Optional(Type.String()) }),
})
const MoonshotBalance = Type.Object({
  code: Type.Optional(Type.Number()),
  status: Type.Optional(Type.Boolean()),
  data: Type.Object({ available_balance: Type.Number(), voucher_balance: Type.Optional(Type.Number()), cash_balance: Type.Optional(Type.Number()) }),
})
const BillingSubscription = Type.Object({ hard_limit_usd: Type.Number() })
const BillingUsage = Type.Object({ total_usage: Type.Number() })

/** Amounts rounded to a millionth, so `10.1 - 3.3` reads 6.8 and not 6.799999999999999. */
export function roundAmount(value: number): number {
  return Math.round(value * 1e6) / 1e6
}

const toNumber = (value: number | string): number => (typeof value === 'number' ? value : Number(value))

/** The vendor's own words from an error body (`{error: {message}}`, `{message}`), else the start of the text. */
export function vendorMessage(reply: UpstreamReply): string {
  const body = reply.json as { error?: { message?: unknown } | string; message?: unknown } | undefined
  const nested = typeof body?.error === 'object' ? body.error.message : body?.error
  const message =
    typeof nested === 'string' && nested !== ''
      ? nested
      : typeof body?.message === 'string' && body.message !== ''
        ? body.message
        : reply.text.trim().slice(0, 200)
  return message === '' ? `HTTP ${reply.status}` : message
}

/** The JSON body of a 2xx reply in the expected shape; anything else is a BalanceReadError saying what came back. */
function expectBody<T extends TSchema>(reply: UpstreamReply, schema: T, what: string): Static<T> {
  if (reply.status < 200 || reply.status > 299)
    throw new BalanceReadError(`the upstream answered HTTP ${reply.status} to the ${what} request: ${vendorMessage(reply)}`)
  if (reply.json === undefined) throw new BalanceReadError(`the upstream's ${what} answer is not JSON`)
  const problem = Value.Errors(schema, reply.json).First()
  if (problem) throw new BalanceReadError(`the upstream's ${what} answer has an unexpected shape (${problem.path || '/'}: ${problem.message})`)
  return reply.json as Static<T>
}

/** A GET to `url` with the channel's bearer key and extra headers. */
function getRequest(channel: ChannelContext, url: string): UpstreamRequest {
  return { url, method: 'GET', headers: { accept: 'application/json', ...openAIAuthHeaders(channel) } }
}

/** The URL of a path at the API's root: a version suffix on the base URL (`…/v1`) is dropped first. */
export function rootUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '').replace(/\/v\d+[a-z]*$/, '')}${path}`
}

/** The base URL's host, lower-cased; '' when it does not parse. */
function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).hostname.toLowerCase()
  } catch {
    return ''
  }
}

/** `USD` for a vendor's international host (`api.moonshot.ai`, `api.siliconflow.com`), else `CNY`: the mainland sites bill in yuan. */
function currencyByHost(baseUrl: string, internationalSuffix: string): string {
  return hostOf(baseUrl).endsWith(internationalSuffix) ? 'USD' : 'CNY'
}

/** OpenRouter: credits bought minus credits used, in USD. */
export const openRouterBalance: BalanceReader = {
  id: 'openrouter',
  label: 'OpenRouter credits',
  hosts: ['openrouter.ai'],
  async read(channel, send) {
    const body = expectBody(await send(getRequest(channel, versionedUrl(channel.baseUrl, '/credits'))), OpenRouterCredits, 'credits')
    const { total_credits: totalCredits, total_usage: totalUsage } = body.data
    return { amount: roundAmount(totalCredits - totalUsage), currency: 'USD', details: { totalCredits, totalUsage } }
  },
}

/** Preferred currencies when a DeepSeek account holds several balances. */
const DEEPSEEK_CURRENCY_ORDER = ['USD', 'CNY']

/** DeepSeek: the total balance of the account's main currency (USD, else CNY, else the first), and whether it may call the API. */
export const deepSeekBalance: BalanceReader = {
  id: 'deepseek',
  label: 'DeepSeek balance',
  hosts: ['api.deepseek.com'],
  async read(channel, send) {
    const body = expectBody(await send(getRequest(channel, rootUrl(channel.baseUrl, '/user/balance'))), DeepSeekBalance, 'balance')
    const infos = body.balance_infos
    const main = DEEPSEEK_CURRENCY_ORDER.map((currency) => infos.find((info) => info.currency.toUpperCase() === currency)).find(Boolean) ?? infos[0]
    if (!main) throw new BalanceReadError('the upstream reported no balance (balance_infos is empty)')
    const details: Record<string, number | string | boolean> = {}
    if (main.granted_balance !== undefined) details.granted = toNumber(main.granted_balance)
    if (main.topped_up_balance !== undefined) details.toppedUp = toNumber(main.topped_up_balance)
    for (const other of infos) if (other !== main) details[other.currency.toUpperCase()] = toNumber(other.total_balance)
    return {
      amount: toNumber(main.total_balance),
      currency: main.currency.toUpperCase(),
      details,
      ...(body.is_available === undefined ? {} : { available: body.is_available }),
    }
  },
}

/** SiliconFlow: the total balance (gifted + charged); yuan on siliconflow.cn, dollars on siliconflow.com. */
export const siliconFlowBalance: BalanceReader = {
  id: 'siliconflow',
  label: 'SiliconFlow balance',
  hosts: ['api.siliconflow.cn', 'api.siliconflow.com'],
  async read(channel, send) {
    const reply = await send(getRequest(channel, versionedUrl(channel.baseUrl, '/user/info')))
    const body = expectBody(reply, SiliconFlowUserInfo, 'user info')
    if (body.status === false || (body.code !== undefined && body.code !== 20000))
      throw new BalanceReadError(`the upstream refused the user info request: ${vendorMessage(reply)}`)
    const { data } = body
    const details: Record<string, number | string | boolean> = {}
    if (data.balance !== undefined) details.granted = toNumber(data.balance)
    if (data.chargeBalance !== undefined) details.charged = toNumber(data.chargeBalance)
    if (data.status !== undefined) details.status = data.status
    return { amount: toNumber(data.totalBalance), currency: currencyByHost(channel.baseUrl, 'siliconflow.com'), details }
  },
}

/** Moonshot (Kimi): the available balance (cash + vouchers); yuan on moonshot.cn, dollars on moonshot.ai. */
export const moonshotBalance: BalanceReader = {
  id: 'moonshot',
  label: 'Moonshot (Kimi) balance',
  hosts: ['api.moonshot.cn', 'api.moonshot.ai'],
  async read(channel, send) {
    const reply = await send(getRequest(channel, versionedUrl(channel.baseUrl, '/users/me/balance')))
    const body = expectBody(reply, MoonshotBalance, 'balance')
    if (body.status === false || (body.code !== undefined && body.code !== 0))
      throw new BalanceReadError(`the upstream refused the balance request: ${vendorMessage(reply)}`)
    const { data } = body
    const details: Record<string, number | string | boolean> = {}
    if (data.voucher_balance !== undefined) details.voucher = data.voucher_balance
    if (data.cash_balance !== undefined) details.cash = data.cash_balance
    return { amount: data.available_balance, currency: currencyByHost(channel.baseUrl, 'moonshot.ai'), details }
  },
}

/**
 * OpenAI's legacy billing endpoints as New API, one-api and this gateway serve them for a relay key:
 * the subscription's hard limit minus the usage (reported in cents), in USD.
 */
export const openAIBillingBalance: BalanceReader = {
  id: 'openai-billing',
  label: 'Billing endpoints (New API, one-api)',
  async read(channel, send) {
    const subscription = expectBody(
      await send(getRequest(channel, versionedUrl(channel.baseUrl, '/dashboard/billing/subscription'))),
      BillingSubscription,
      'billing subscription',
    )
    const usage = expectBody(await send(getRequest(channel, versionedUrl(channel.baseUrl, '/dashboard/billing/usage'))), BillingUsage, 'billing usage')
    const usedUsd = usage.total_usage / 100
    return {
      amount: roundAmount(subscription.hard_limit_usd - usedUsd),
      currency: 'USD',
      details: { limit: subscription.hard_limit_usd, used: roundAmount(usedUsd) },
    }
  },
}

/** Every balance reader of the `openai` and `openai-compatible` channel types. */
export const openAIBalanceReaders: BalanceReader[] = [openRouterBalance, deepSeekBalance, siliconFlowBalance, moonshotBalance, openAIBillingBalance]
