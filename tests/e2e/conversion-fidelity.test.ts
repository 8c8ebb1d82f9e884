import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import Anthropic from '@anthropic-ai/sdk'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini.ts'
import { loadChunks, loadFixture } from '../support/fixtures.ts'

// Issue 17 through the official SDKs: what reaches the fake upstream (recorded wire shapes) and what the
// client reads back, when the client's history or the upstream's dialect differs from the other side's.

type Json = Record<string, unknown>

describe('Claude SDK with a thinking history → Gemini channel', () => {
  let gateway: TestGateway
  let gemini: FakeGemini
  let client: Anthropic
  const claudeAnswer = loadFixture<{ content: Anthropic.ContentBlockParam[] }>('claude', 'claude-thinking.json')
  const signature = String((claudeAnswer.content.find((block) => block.type === 'thinking') as { signature: string }).signature)
  const history: Anthropic.MessageParam[] = [
    { role: 'user', content: 'Capital of France?' },
    { role: 'assistant', content: claudeAnswer.content },
    { role: 'user', content: 'What is the capital of France, again?' },
  ]

  beforeAll(async () => {
    gemini = await startFakeGemini()
    gateway = await startGateway()
    await gateway.createChannel({ name: 'gemini', type: 'gemini', key: 'gemini-key', baseUrl: gemini.url, models: ['gemini-2.5-flash'] })
    const token = await gateway.createToken({ name: 'fidelity', unlimited: true })
    client = new Anthropic({ apiKey: token.key, baseURL: gateway.url, maxRetries: 0 })
  })
  afterAll(async () => {
    await gateway.stop()
    await gemini.stop()
  })
  beforeEach(() => gemini.reset())

  /** The model turn Gemini received for the Claude assistant turn. */
  const modelTurn = () => ((gemini.requests.at(-1)?.body?.contents as Json[] | undefined) ?? [])[1]

  test('non-stream: Gemini receives the answer text without Anthropic\'s signature or thought; the client gets Gemini\'s answer', async () => {
    const message = await client.messages.create({ model: 'gemini-2.5-flash', max_tokens: 1024, messages: history })
    expect(gemini.requests.at(-1)?.rawBody).not.toContain(signature)
    expect(modelTurn()).toEqual({ role: 'model', parts: [{ text: 'The capital of France is Paris.' }] })
    const expected = loadFixture<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>('gemini', 'gemini-text.json').candidates[0]!.content.parts.map((part) => part.text).join('')
    expect(message.content.map((block) => block.type)).toEqual(['text'])
    expect((message.content[0] as Anthropic.TextBlock).text).toBe(expected)
  })

  test('stream: the same history, streamed, reaches Gemini the same way', async () => {
    const stream = client.messages.stream({ model: 'gemini-2.5-flash', max_tokens: 1024, messages: history })
    const final = await stream.finalMessage()
    expect(gemini.requests.at(-1)?.query.alt).toBe('sse')
    expect(gemini.requests.at(-1)?.rawBody).not.toContain(signature)
    expect(modelTurn()).toEqual({ role: 'model', parts: [{ text: 'The capital of France is Paris.' }] })
    const expected = loadChunks<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>('gemini', 'gemini-text.chunks.txt').map((chunk) => chunk.candidates[0]!.content.parts.map((part) => part.text).join('')).join('')
    expect(final.content.filter((block) => block.type === 'text').map((block) => (block as Anthropic.TextBlock).text).join('')).toBe(expected)
  })
})
