import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import { loadChunks, loadFixture } from '../support/fixtures.ts'
import { testBackends } from '../support/context.ts'

// The official openai SDK, pointed at the gateway, in front of a fake OpenAI upstream.

for (const backend of testBackends) {
  describe(`openai SDK through the gateway (${backend.name})`, () => {
    let gateway: TestGateway
    let fake: FakeOpenAI
    let client: OpenAI
    let tokenId: number

    beforeAll(async () => {
      fake = await startFakeOpenAI({ keys: ['sk-upstream-1'] })
      gateway = await startGateway(backend)
      await gateway.createChannel({
        name: 'openai main',
        type: 'openai',
        key: 'sk-upstream-1',
        baseUrl: fake.url,
        models: ['gpt-4o-mini', 'text-embedding-3-small', 'gpt-3.5-turbo-instruct', 'gpt-4o'],
        modelMapping: { 'gpt-4o': 'gpt-4o-2024-08-06' },
      })
      const token = await gateway.createToken({ name: 'sdk', quota: 50_000_000 })
      tokenId = token.id
      client = new OpenAI({ apiKey: token.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
    })
    afterAll(async () => {
      await gateway.stop()
      await fake.stop()
    })
    beforeEach(() => fake.reset())

    test('chat, non-stream: the answer is exactly what the upstream sent', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Capital of France?' },
        ],
      })
      expect(completion as unknown).toEqual({ ...loadFixture('openai', 'openai-chat-text.json'), model: 'gpt-4o-mini' })
      expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-upstream-1')
    })

    test('same-dialect bodies pass through untouched, vision parts and unknown fields included', async () => {
      const request = {
        model: 'gpt-4o-mini',
        messages: [
          {
            role: 'user' as const,
            content: [
              { type: 'text' as const, text: 'What is in this image?' },
              { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' as const } },
            ],
          },
        ],
        response_format: { type: 'json_object' as const },
        temperature: 0.2,
        seed: 7,
        logit_bias: { '50256': -100 },
        metadata: { team: 'search' },
      }
      await client.chat.completions.create(request)
      expect(fake.requests[0]?.body).toEqual(request)
    })

    test('chat, stream with usage: every chunk arrives unchanged, usage chunk included', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Capital of France?' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      const chunks: unknown[] = []
      for await (const chunk of stream) chunks.push(chunk)
      const expected = loadChunks('openai', 'openai-chat-text.chunks.txt').map((chunk) => ({ ...chunk, model: 'gpt-4o-mini' }))
      expect(chunks).toEqual(expected)
      expect((chunks.at(-1) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(15)
    })

    test('chat, stream without usage: usage is forced upstream but the extra chunk is hidden from the client', async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }], stream: true })
      const chunks: Array<{ choices: unknown[] }> = []
      for await (const chunk of stream) chunks.push(chunk as unknown as { choices: unknown[] })
      expect(fake.requests[0]?.body?.stream_options).toEqual({ include_usage: true })
      expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true)
      expect(chunks.length).toBe(17)
      const logs = await gateway.logs({ type: 'consume', tokenId })
      const row = logs.find((entry) => entry.isStream === true && entry.completionTokens === 15)
      expect(row).toBeDefined()
      expect(row?.promptTokens).toBe(24)
    })

    test('tool calls, non-stream', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Current weather',
              parameters: {
                type: 'object',
                properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
                required: ['location'],
              },
            },
          },
        ],
        tool_choice: 'auto',
      })
      const call = completion.choices[0]?.message.tool_calls?.[0]
      expect(completion.choices[0]?.finish_reason).toBe('tool_calls')
      expect(call?.type === 'function' ? call.function : undefined).toEqual({ name: 'get_weather', arguments: '{"location":"Paris, France","unit":"celsius"}' })
      expect(completion as unknown).toEqual({ ...loadFixture('openai', 'openai-chat-tool-call.json'), model: 'gpt-4o-mini' })
    })

    test('tool calls, stream: the SDK reassembles the same call', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }],
        stream: true,
      })
      let name = ''
      let args = ''
      let finish: string | null | undefined
      for await (const chunk of stream) {
        const choice = chunk.choices[0]
        for (const call of choice?.delta.tool_calls ?? []) {
          name += call.function?.name ?? ''
          args += call.function?.arguments ?? ''
        }
        finish = choice?.finish_reason ?? finish
      }
      expect({ name, args: JSON.parse(args), finish }).toEqual({
        name: 'get_weather',
        args: { location: 'Paris, France', unit: 'celsius' },
        finish: 'tool_calls',
      })
    })

    test('n=2 returns both choices', async () => {
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', n: 2, messages: [{ role: 'user', content: 'Haiku opening' }] })
      expect(completion.choices.map((choice) => choice.message.content)).toEqual(['Sunlight on water.', 'Morning fog lifting.'])
    })

    test('model mapping rewrites only the upstream model', async () => {
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      expect(fake.requests[0]?.body?.model).toBe('gpt-4o-2024-08-06')
      expect(completion.model).toBe('gpt-4o-2024-08-06')
      const logs = await gateway.logs({ type: 'consume', tokenId })
      expect(logs.some((entry) => entry.model === 'gpt-4o' && entry.upstreamModel === 'gpt-4o-2024-08-06')).toBe(true)
    })

    test('embeddings', async () => {
      const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['first text', 'second text'], encoding_format: 'float' })
      const fixture = loadFixture<{ data: Array<{ embedding: number[] }> }>('openai', 'openai-embeddings.json')
      expect(result.data.map((item) => item.embedding)).toEqual(fixture.data.map((item) => item.embedding))
      expect(result.usage).toEqual({ prompt_tokens: 9, total_tokens: 9 })
    })

    test('legacy completions, stream and non-stream', async () => {
      const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16 })
      expect(completion.choices[0]?.text).toBe('\n\nThis is a test of the completions endpoint.')
      const stream = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', stream: true })
      let text = ''
      for await (const chunk of stream) text += chunk.choices[0]?.text ?? ''
      expect(text).toBe('\n\nThis is a test.')
    })

    test('model list shows only what the key may use', async () => {
      const all = await client.models.list()
      expect(all.data.map((model) => model.id).sort()).toEqual(['gpt-3.5-turbo-instruct', 'gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'])
      const limited = await gateway.createToken({ name: 'limited', quota: 1000, models: ['gpt-4o*'] })
      const limitedClient = new OpenAI({ apiKey: limited.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
      expect((await limitedClient.models.list()).data.map((model) => model.id).sort()).toEqual(['gpt-4o', 'gpt-4o-mini'])
      expect((await limitedClient.models.retrieve('gpt-4o')).id).toBe('gpt-4o')
      const status = await limitedClient.models.retrieve('text-embedding-3-small').then(
        () => 200,
        (error: { status?: number }) => error.status,
      )
      expect(status).toBe(404)
    })

    test('every response carries a request id, which the usage log records', async () => {
      const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse()
      const requestId = response.headers.get('x-request-id')
      expect(requestId).toMatch(/^req_[a-z0-9]+$/i)
      const logs = await gateway.logs({ type: 'consume', tokenId })
      expect(logs.some((entry) => entry.requestId === requestId)).toBe(true)
    })
  })
}
