import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../../support/gateway.ts'
import { claudeClient, geminiClient, openAIChatClient, openAIResponsesClient, type ClientAdapter } from './clients.ts'
import { azureProvider, claudeProvider, geminiProvider, openAIProvider, type ProviderAdapter } from './providers.ts'

// Every client dialect × every provider, through the official SDKs, stream and non-stream:
// text with a system prompt, a multi-turn history, an image, and a full tool round trip.

const clientFactories: Array<[string, (url: string, key: string) => ClientAdapter]> = [
  ['openai.chat', openAIChatClient],
  ['openai.responses', openAIResponsesClient],
  ['claude.messages', claudeClient],
  ['gemini.generate', geminiClient],
]

let gateway: TestGateway
let key: string
const providers: ProviderAdapter[] = []

beforeAll(async () => {
  providers.push(await openAIProvider(), await azureProvider(), await claudeProvider(), await geminiProvider())
  gateway = await startGateway()
  for (const provider of providers) await gateway.createChannel(provider.channel)
  key = (await gateway.createToken({ name: 'matrix', unlimited: true })).key
})
afterAll(async () => {
  await gateway.stop()
  await Promise.all(providers.map((provider) => provider.stop()))
})

const providerNames = ['OpenAI', 'Azure', 'Claude', 'Gemini']
const provider = (name: string) => providers.find((entry) => entry.name === name)!

for (const [dialect, makeClient] of clientFactories) {
  describe(`${dialect} client`, () => {
    const client = () => makeClient(gateway.url, key)
    for (const name of providerNames) {
      for (const stream of [false, true]) {
        const mode = stream ? 'stream' : 'non-stream'

        test(`→ ${name}, ${mode}: text with a system prompt`, async () => {
          const upstream = provider(name)
          upstream.reset()
          const answer = await client().ask({
            model: upstream.model,
            system: 'You are terse.',
            turns: [{ role: 'user', text: 'What is the capital of France?' }],
            stream,
          })
          expect(answer.text).toBe(upstream.expectedText(stream, dialect))
          const body = upstream.lastBody()
          expect(upstream.systemOf(body)).toBe('You are terse.')
          expect(upstream.turnsOf(body)).toEqual([{ role: 'user', text: 'What is the capital of France?' }])
        })

        test(`→ ${name}, ${mode}: multi-turn history`, async () => {
          const upstream = provider(name)
          upstream.reset()
          await client().ask({
            model: upstream.model,
            turns: [
              { role: 'user', text: 'Hi' },
              { role: 'assistant', text: 'Hello! How can I help?' },
              { role: 'user', text: 'Name a city.' },
            ],
            stream,
          })
          expect(upstream.turnsOf(upstream.lastBody())).toEqual([
            { role: 'user', text: 'Hi' },
            { role: upstream.assistantRole, text: 'Hello! How can I help?' },
            { role: 'user', text: 'Name a city.' },
          ])
        })

        test(`→ ${name}, ${mode}: an image reaches the upstream with the text`, async () => {
          const upstream = provider(name)
          upstream.reset()
          const answer = await client().ask({ model: upstream.model, turns: [{ role: 'user', text: 'What colour is this pixel?', image: true }], stream })
          expect(answer.text).toBe(upstream.expectedText(stream, dialect))
          const body = upstream.lastBody()
          expect(upstream.hasImage(body)).toBe(true)
          expect(upstream.turnsOf(body)[0]?.text).toBe('What colour is this pixel?')
        })

        test(`→ ${name}, ${mode}: tool round trip (call → result → answer)`, async () => {
          const upstream = provider(name)
          upstream.reset()
          const question = { role: 'user' as const, text: 'What is the weather in Paris?' }
          const first = await client().ask({ model: upstream.model, turns: [question], tools: true, stream })
          expect(upstream.toolsOf(upstream.lastBody())).toEqual(['get_weather'])
          expect(first.toolCalls.map(({ name: tool, args }) => ({ name: tool, args }))).toEqual([upstream.expectedToolCall(stream, dialect)])
          const call = first.toolCalls[0]!
          const second = await client().ask({
            model: upstream.model,
            stream,
            turns: [
              question,
              { role: 'assistant-call', id: call.id || 'call_1', name: call.name, args: call.args },
              { role: 'tool', id: call.id || 'call_1', name: call.name, result: '18°C and sunny' },
            ],
          })
          expect(upstream.toolResultOf(upstream.lastBody())).toContain('18°C and sunny')
          expect(second.text).toBe(upstream.expectedText(stream, dialect))
        })
      }
    }
  })
}
