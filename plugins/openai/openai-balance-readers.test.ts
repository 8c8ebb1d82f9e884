import { describe, expect, test } from 'bun:test'
import { BalanceReadError, type ChannelContext, type SendUpstream, type UpstreamReply, type UpstreamRequest } from '@hanggent/plugin-sdk'
import { loadFixture } from '../../tests/support/fixtures.ts'
import { deepSeekBalance, moonshotBalance, openAIBillingBalance, openRouterBalance, rootUrl, siliconFlowBalance } from './openai-balance-readers.ts'

const channel = (baseUrl: string, settings: Record<string, unknown> = {}) =>
  ({ id: 7, type: 'openai-compatible', baseUrl, key: 'sk-balance-test-1234', settings }) as ChannelContext

const reply = (status: number, body: unknown): UpstreamReply => {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status, text, json }
}

/** A sender answering each URL from `answers`, recording the requests. */
function sender(answers: Record<string, UpstreamReply>): { send: SendUpstream; sent: UpstreamRequest[] } {
  const sent: UpstreamRequest[] = []
  return {
    sent,
    send: async (request) => {
      sent.push(request)
      const answer = answers[request.url]
      if (!answer) throw new Error(`unexpected request to ${request.url}`)
      return answer
    },
  }
}

describe('OpenRouter credits', () => {
  test('GET /api/v1/credits with the bearer key; credits bought minus used, in USD', async () => {
    const { send, sent } = sender({ 'https://openrouter.ai/api/v1/credits': reply(200, loadFixture('openai', 'openrouter-credits.json')) })
    const balance = await openRouterBalance.read(channel('https://openrouter.ai/api/v1', { headers: { 'X-Title': 'gw' } }), send)
    expect(balance).toEqual({ amount: 74.75, currency: 'USD', details: { totalCredits: 100.5, totalUsage: 25.75 } })
    expect(sent).toEqual([
      {
        url: 'https://openrouter.ai/api/v1/credits',
        method: 'GET',
        headers: { accept: 'application/json', authorization: 'Bearer sk-balance-test-1234', 'x-title': 'gw' },
      },
    ])
  })

  test('the base URL without /v1 reaches the same path; float noise is rounded away', async () => {
    const { send } = sender({ 'https://openrouter.ai/api/v1/credits': reply(200, { data: { total_credits: 10.1, total_usage: 3.3 } }) })
    expect((await openRouterBalance.read(channel('https://openrouter.ai/api'), send)).amount).toBe(6.8)
  })

  test("a 401 carries OpenRouter's own message", async () => {
    const { send } = sender({ 'https://openrouter.ai/api/v1/credits': reply(401, loadFixture('openai', 'openrouter-error-401.json')) })
    const read = openRouterBalance.read(channel('https://openrouter.ai/api/v1'), send)
    await expect(read).rejects.toBeInstanceOf(BalanceReadError)
    await expect(openRouterBalance.read(channel('https://openrouter.ai/api/v1'), send)).rejects.toThrow(
      'HTTP 401 to the credits request: No auth credentials found',
    )
  })

  test('another shape is refused, naming where it differs', async () => {
    const { send } = sender({ 'https://openrouter.ai/api/v1/credits': reply(200, { data: { total_credits: '100', total_usage: 1 } }) })
    await expect(openRouterBalance.read(channel('https://openrouter.ai/api/v1'), send)).rejects.toThrow(/unexpected shape \(\/data\/total_credits/)
  })
})

describe('DeepSeek balance', () => {
  test('GET /user/balance at the root even when the base URL ends in /v1; string amounts, currency and availability', async () => {
    const { send, sent } = sender({ 'https://api.deepseek.com/user/balance': reply(200, loadFixture('openai', 'deepseek-balance.json')) })
    const balance = await deepSeekBalance.read(channel('https://api.deepseek.com/v1'), send)
    expect(balance).toEqual({ amount: 110, currency: 'CNY', available: true, details: { granted: 10, toppedUp: 100 } })
    expect(sent[0]?.url).toBe('https://api.deepseek.com/user/balance')
  })

  test('an account holding two currencies reports USD and lists the other; is_available false is passed on', async () => {
    const body = {
      is_available: false,
      balance_infos: [
        { currency: 'CNY', total_balance: '3.50', granted_balance: '0.00', topped_up_balance: '3.50' },
        { currency: 'USD', total_balance: '0.25', granted_balance: '0.25', topped_up_balance: '0.00' },
      ],
    }
    const { send } = sender({ 'https://api.deepseek.com/user/balance': reply(200, body) })
    expect(await deepSeekBalance.read(channel('https://api.deepseek.com'), send)).toEqual({
      amount: 0.25,
      currency: 'USD',
      available: false,
      details: { granted: 0.25, toppedUp: 0, CNY: 3.5 },
    })
  })

  test('no balance entries and a 401 are clear errors', async () => {
    const empty = sender({ 'https://api.deepseek.com/user/balance': reply(200, { is_available: false, balance_infos: [] }) })
    await expect(deepSeekBalance.read(channel('https://api.deepseek.com'), empty.send)).rejects.toThrow('balance_infos is empty')
    const refused = sender({ 'https://api.deepseek.com/user/balance': reply(401, loadFixture('openai', 'deepseek-error-401.json')) })
    await expect(deepSeekBalance.read(channel('https://api.deepseek.com'), refused.send)).rejects.toThrow(
      'HTTP 401 to the balance request: Authentication Fails',
    )
  })
})

describe('SiliconFlow user info', () => {
  test('GET /v1/user/info; totalBalance in CNY on siliconflow.cn, USD on siliconflow.com', async () => {
    const fixture = loadFixture('openai', 'siliconflow-user-info.json')
    const { send, sent } = sender({
      'https://api.siliconflow.cn/v1/user/info': reply(200, fixture),
      'https://api.siliconflow.com/v1/user/info': reply(200, fixture),
    })
    expect(await siliconFlowBalance.read(channel('https://api.siliconflow.cn/v1'), send)).toEqual({
      amount: 88.88,
      currency: 'CNY',
      details: { granted: 0.88, charged: 88, status: 'normal' },
    })
    expect((await siliconFlowBalance.read(channel('https://api.siliconflow.com'), send)).currency).toBe('USD')
    expect(sent.map((request) => request.url)).toEqual(['https://api.siliconflow.cn/v1/user/info', 'https://api.siliconflow.com/v1/user/info'])
  })

  test('a refusal inside a 200 (code other than 20000) and a plain-text 401 are errors with the vendor words', async () => {
    const refused = sender({
      'https://api.siliconflow.cn/v1/user/info': reply(200, { code: 30001, message: 'account suspended', status: false, data: { totalBalance: '0' } }),
    })
    await expect(siliconFlowBalance.read(channel('https://api.siliconflow.cn/v1'), refused.send)).rejects.toThrow(
      'refused the user info request: account suspended',
    )
    const unauthorized = sender({ 'https://api.siliconflow.cn/v1/user/info': reply(401, 'Invalid token') })
    await expect(siliconFlowBalance.read(channel('https://api.siliconflow.cn/v1'), unauthorized.send)).rejects.toThrow(
      'HTTP 401 to the user info request: Invalid token',
    )
  })
})

describe('Moonshot balance', () => {
  test('GET /v1/users/me/balance; available_balance in CNY on moonshot.cn, USD on moonshot.ai, with the voucher/cash split', async () => {
    const fixture = loadFixture('openai', 'moonshot-balance.json')
    const { send } = sender({
      'https://api.moonshot.cn/v1/users/me/balance': reply(200, fixture),
      'https://api.moonshot.ai/v1/users/me/balance': reply(200, fixture),
    })
    expect(await moonshotBalance.read(channel('https://api.moonshot.cn/v1'), send)).toEqual({
      amount: 49.58894,
      currency: 'CNY',
      details: { voucher: 46.58893, cash: 3.00001 },
    })
    expect((await moonshotBalance.read(channel('https://api.moonshot.ai/v1'), send)).currency).toBe('USD')
  })

  test('a 401 and a non-JSON answer are errors', async () => {
    const refused = sender({ 'https://api.moonshot.cn/v1/users/me/balance': reply(401, loadFixture('openai', 'moonshot-error-401.json')) })
    await expect(moonshotBalance.read(channel('https://api.moonshot.cn/v1'), refused.send)).rejects.toThrow(
      'HTTP 401 to the balance request: Invalid Authentication',
    )
    const html = sender({ 'https://api.moonshot.cn/v1/users/me/balance': reply(200, '<html>maintenance</html>') })
    await expect(moonshotBalance.read(channel('https://api.moonshot.cn/v1'), html.send)).rejects.toThrow('is not JSON')
  })
})

describe('legacy billing endpoints (New API, one-api)', () => {
  test('hard limit minus usage (cents), in USD', async () => {
    const { send, sent } = sender({
      'https://relay.example.com/v1/dashboard/billing/subscription': reply(200, { object: 'billing_subscription', hard_limit_usd: 20 }),
      'https://relay.example.com/v1/dashboard/billing/usage': reply(200, { object: 'list', total_usage: 1234.5 }),
    })
    expect(await openAIBillingBalance.read(channel('https://relay.example.com'), send)).toEqual({
      amount: 7.655,
      currency: 'USD',
      details: { limit: 20, used: 12.345 },
    })
    expect(sent.map((request) => request.url)).toEqual([
      'https://relay.example.com/v1/dashboard/billing/subscription',
      'https://relay.example.com/v1/dashboard/billing/usage',
    ])
  })
})

test('rootUrl drops a version suffix and trailing slashes', () => {
  expect(rootUrl('https://api.deepseek.com/v1/', '/user/balance')).toBe('https://api.deepseek.com/user/balance')
  expect(rootUrl('https://api.deepseek.com', '/user/balance')).toBe('https://api.deepseek.com/user/balance')
})
