import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../../tests/support/gateway.ts'
import { FAKE_DIFY_CONVERSATION_ID, startFakeDify, type FakeDify } from '../../tests/support/fake-dify.ts'

// A Dify channel through a real gateway, with the official OpenAI and Anthropic SDKs, against a fake
// Dify replaying recorded-shape answers (pings, workflow progress, agent thoughts, message_end):
// streamed and blocking answers, billing from message_end's usage at the operator's price for the
// app's name, the conversation id round trip, and a Dify error event mid-stream.

const APP_KEY = 'app-fake-dify-key'
/** The operator's price for the app name: $3 in and $15 out per 1M tokens. */
const PRICE = { inputPerMTok: 3, outputPerMTok: 15 }
/** 23 input and 11 output tokens (the recorded message_end) at PRICE: 234 µUSD = 117 quota units. */
const CHAT_TEXT_UNITS = 117

let gateway: TestGateway
let dify: FakeDify
let userId: number
let openai: OpenAI
let anthropic: Anthropic

beforeAll(async () => {
  dify = await startFakeDify({ key: APP_KEY })
  gateway = await startGateway()
  await gateway.createChannel({ name: 'dify', type: 'dify', key: APP_KEY, baseUrl: dify.url, models: ['faq-bot'], settings: { userPrefix: 'hg-' } })
  await gateway.admin('PUT', '/api/models/price', { model: 'faq-bot', price: PRICE })
  userId = await gateway.createUser({ username: 'dify-user', quota: 10_000_000 })
  const { key } = await gateway.createToken({ userId, unlimited: true })
  openai = new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
  anthropic = new Anthropic({ apiKey: key, baseURL: gateway.url, maxRetries: 0 })
}, 60_000)
afterAll(async () => {
  await gateway.stop()
  await dify.stop()
})

/** What the user was charged by `run`, once its call settled. */
async function chargeOf(run: () => Promise<unknown>): Promise<number> {
  const before = await gateway.balance(userId)
  await run()
  await gateway.logs()
  const after = await gateway.balance(userId)
  return before.quota - after.quota
}

describe('OpenAI SDK through a Dify channel', () => {
  test('a blocking answer: the text, usage from metadata.usage billed to the unit, the conversation id in the answer id', async () => {
    dify.answerWith('dify-chat-text')
    let completion: OpenAI.ChatCompletion | undefined
    const charged = await chargeOf(async () => {
      completion = await openai.chat.completions.create({
        model: 'faq-bot',
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
        user: 'alice',
      })
    })
    expect(completion?.choices[0]?.message.content).toBe('The capital of France is Paris — about 2.1 million people live there.')
    expect(completion?.usage).toMatchObject({ prompt_tokens: 23, completion_tokens: 11, total_tokens: 34 })
    expect(completion?.id).toBe(`chatcmpl-${FAKE_DIFY_CONVERSATION_ID}`)
    expect(charged).toBe(CHAT_TEXT_UNITS)
    expect(dify.requests.at(-1)?.body).toEqual({
      inputs: {},
      query: 'What is the capital of France?',
      response_mode: 'blocking',
      user: 'hg-alice',
      auto_generate_name: false,
    })
  })

  test('usage Dify reports as all zero is estimated from the prompt and the answer, never billed as free', async () => {
    dify.answerWith('dify-chat-text', { zeroUsage: true })
    const charged = await chargeOf(() =>
      openai.chat.completions.create({ model: 'faq-bot', messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
    )
    const log = (await gateway.logs({ type: 'consume' })).at(0)
    const counted = { input: Number(log?.promptTokens), output: Number(log?.completionTokens) }
    expect(counted.input).toBeGreaterThan(0)
    expect(counted.output).toBeGreaterThan(5)
    expect(charged).toBe(Math.max(1, Math.round((counted.input * PRICE.inputPerMTok + counted.output * PRICE.outputPerMTok) / 2)))
    dify.answerWith('dify-chat-text')
  })

  test('a streamed answer: pings and workflow progress skipped, text deltas, usage from message_end billed to the unit', async () => {
    dify.answerWith('dify-chat-text')
    let text = ''
    let usage: OpenAI.CompletionUsage | null | undefined
    const charged = await chargeOf(async () => {
      const stream = await openai.chat.completions.create({
        model: 'faq-bot',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      })
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? ''
        if (chunk.usage) usage = chunk.usage
      }
    })
    expect(text).toBe('The capital of France is Paris — about 2.1 million people live there.')
    expect(usage).toMatchObject({ prompt_tokens: 23, completion_tokens: 11 })
    expect(charged).toBe(CHAT_TEXT_UNITS)
    expect(dify.requests.at(-1)?.body).toMatchObject({ response_mode: 'streaming', user: 'hg-gateway' })
  })

  test('<think> text and an agent tool step arrive as reasoning_content, apart from the answer', async () => {
    dify.answerWith('dify-chat-thinking')
    const stream = await openai.chat.completions.create({ model: 'faq-bot', stream: true, messages: [{ role: 'user', content: 'Boiling point?' }] })
    let text = ''
    let reasoning = ''
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string } | undefined
      text += delta?.content ?? ''
      reasoning += delta?.reasoning_content ?? ''
    }
    expect(text).toBe('Water boils at 100 °C at sea level.')
    expect(reasoning).toBe('\nThe user wants a short answer about boiling water.\n')
  })

  test('the conversation continues when the client sends the answer id back as metadata.conversation_id: only the last message goes to Dify', async () => {
    dify.answerWith('dify-chat-text')
    const first = await openai.chat.completions.create({ model: 'faq-bot', messages: [{ role: 'user', content: 'What is the capital of France?' }] })
    const second = await openai.chat.completions.create({
      model: 'faq-bot',
      metadata: { conversation_id: first.id },
      messages: [
        { role: 'user', content: 'What is the capital of France?' },
        { role: 'assistant', content: first.choices[0]?.message.content ?? '' },
        { role: 'user', content: 'And of Italy?' },
      ],
    })
    expect(dify.requests.at(-1)?.body).toMatchObject({ conversation_id: FAKE_DIFY_CONVERSATION_ID, query: 'And of Italy?' })
    expect(second.id).toBe(first.id)
  })

  test('without a conversation id the history is folded into the query and no conversation_id is sent', async () => {
    dify.answerWith('dify-chat-text')
    await openai.chat.completions.create({
      model: 'faq-bot',
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'Capital of France?' },
        { role: 'assistant', content: 'Paris.' },
        { role: 'user', content: 'And of Italy?' },
      ],
    })
    const body = dify.requests.at(-1)?.body
    expect(body?.query).toBe('SYSTEM:\nAnswer briefly.\n\nUSER:\nCapital of France?\n\nASSISTANT:\nParis.\n\nUSER:\nAnd of Italy?')
    expect(body && 'conversation_id' in body).toBe(false)
  })

  test("an unknown conversation id: Dify's 404 message reaches the client and nothing is charged", async () => {
    const before = dify.requests.length
    const charged = await chargeOf(async () => {
      const error = await openai.chat.completions
        .create({
          model: 'faq-bot',
          metadata: { conversation_id: 'chatcmpl-00000000-dead-beef-0000-000000000000' },
          messages: [{ role: 'user', content: 'hi' }],
        })
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        )
      expect(error).toBeInstanceOf(OpenAI.APIError)
      expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('Conversation Not Exists.')
    })
    expect(dify.requests.length).toBeGreaterThan(before)
    expect(charged).toBe(0)
  })

  test('a Dify error event mid-stream ends the stream with an OpenAI error the SDK throws, after the text already sent', async () => {
    dify.answerWith('dify-stream-error')
    const stream = await openai.chat.completions.create({ model: 'faq-bot', stream: true, messages: [{ role: 'user', content: 'hi' }] })
    let text = ''
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })().then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    expect(text).toBe('Let me check')
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect(String((error as Error).message)).toContain('Rate limit reached for gpt-4o')
  })

  test('an inline (data URL) image is refused with a 400 before Dify is called', async () => {
    const before = dify.requests.length
    const error = await openai.chat.completions
      .create({
        model: 'faq-bot',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            ],
          },
        ],
      })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400)
    expect((error as Error).message).toContain('Dify channels take images by http(s) URL only')
    expect(dify.requests.length).toBe(before)
  })
})

describe('Anthropic SDK through a Dify channel (converted through the hub)', () => {
  test('messages.create, blocking: text and usage', async () => {
    dify.answerWith('dify-chat-text')
    const message = await anthropic.messages.create({
      model: 'faq-bot',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    })
    expect(message.content).toMatchObject([{ type: 'text', text: 'The capital of France is Paris — about 2.1 million people live there.' }])
    expect(message.usage).toMatchObject({ input_tokens: 23, output_tokens: 11 })
  })

  test('messages.stream on an agent app: the answer as text, the tool step as thinking, billed from message_end', async () => {
    dify.answerWith('dify-agent')
    let final: Anthropic.Message | undefined
    const charged = await chargeOf(async () => {
      final = await anthropic.messages
        .stream({ model: 'faq-bot', max_tokens: 256, messages: [{ role: 'user', content: 'What time is it in Paris?' }] })
        .finalMessage()
    })
    const text = final?.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('')
    const thinking = final?.content.flatMap((block) => (block.type === 'thinking' ? [block.thinking] : [])).join('')
    expect(text).toBe('It is 15:04 in Paris.\n![image](https://upload.dify.ai/files/tools/clock.png?timestamp=1764950400&sign=abc)\n')
    expect(thinking).toContain('current_time(')
    expect(final?.usage).toMatchObject({ input_tokens: 412, output_tokens: 57 })
    // 412 in and 57 out at $3/$15 per 1M: 2,091 µUSD = 1,045.5 units, rounded to 1,045 (an exact half rounds down).
    expect(charged).toBe(1045)
  })
})
