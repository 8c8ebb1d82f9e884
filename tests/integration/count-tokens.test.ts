import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import Anthropic from '@anthropic-ai/sdk'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.ts'

// Anthropic's `POST /v1/messages/count_tokens` with the official SDK (`messages.countTokens`): counted
// by the gateway with the model's tokenizer estimate, never sent upstream, never billed; errors in
// Anthropic's shape.

let gateway: TestGateway
let upstream: FakeAnthropic
let userId: number
let client: Anthropic
let limitedClient: Anthropic

beforeAll(async () => {
  upstream = await startFakeAnthropic({ keys: ['sk-ant-upstream'] })
  gateway = await startGateway()
  await gateway.createChannel({
    name: 'anthropic',
    type: 'claude',
    key: 'sk-ant-upstream',
    baseUrl: upstream.url,
    models: ['claude-sonnet-4-5', 'claude-haiku-4-5'],
  })
  userId = await gateway.createUser({ username: 'count-tokens', quota: 1_000_000 })
  const { key } = await gateway.createToken({ userId, unlimited: true })
  const limited = await gateway.createToken({ userId, unlimited: true, models: ['claude-haiku-4-5'] })
  client = new Anthropic({ apiKey: key, baseURL: gateway.url, maxRetries: 0 })
  limitedClient = new Anthropic({ apiKey: limited.key, baseURL: gateway.url, maxRetries: 0 })
}, 60_000)
afterAll(async () => {
  await gateway.stop()
  await upstream.stop()
})

describe('messages.countTokens', () => {
  test('counts the prompt locally: more text, more tokens; nothing reaches the upstream and nothing is charged', async () => {
    const before = await gateway.balance(userId)
    const short = await client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello' }] })
    const long = await client.messages.countTokens({
      model: 'claude-sonnet-4-5',
      system: 'You are a patient tutor who explains every step.',
      messages: [{ role: 'user', content: 'Explain photosynthesis to a ten year old, step by step, with an example from a garden.' }],
    })
    expect(short.input_tokens).toBeGreaterThan(0)
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens + 20)
    expect(upstream.requests.length).toBe(0)
    expect(await gateway.balance(userId)).toEqual(before)
  })

  test('a model the key may not use is a 404 in Anthropic’s error shape', async () => {
    const error = await limitedClient.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello' }] }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    expect(error).toBeInstanceOf(Anthropic.NotFoundError)
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })
  })

  test('a prompt the Messages schema refuses is a 400 naming the field, not a count (no max_tokens needed)', async () => {
    const response = await fetch(`${gateway.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'x-api-key': client.apiKey ?? '', 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 42 }] }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
  })

  test('no messages is a 400 invalid_request_error; a wrong key is a 401', async () => {
    const response = await fetch(`${gateway.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'x-api-key': client.apiKey ?? '', 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5' }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'messages: Field required' } })
    const wrongKey = new Anthropic({ apiKey: 'sk-wrong', baseURL: gateway.url, maxRetries: 0 })
    const error = await wrongKey.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError)
  })
})
