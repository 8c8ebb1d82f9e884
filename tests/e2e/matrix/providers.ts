import { loadChunks, loadFixture } from '../../support/fixtures.ts'
import { startFakeOpenAI } from '../../support/fake-openai.ts'
import { startFakeAzure } from '../../support/fake-azure.ts'
import { startFakeAnthropic } from '../../support/fake-anthropic.ts'
import { startFakeGemini } from '../../support/fake-gemini.ts'

// One adapter per upstream provider: its fake server, the channel that reaches it, what its
// fixtures say the answer is, and how to read what the gateway sent it.

type Json = Record<string, unknown>

/** What a provider adapter tells the matrix test. */
export interface ProviderAdapter {
  name: string
  /** The model the matrix asks for; only this provider's channel serves it. */
  model: string
  /** The provider's name for the assistant role. */
  assistantRole: string
  /** Body of POST /api/channels. */
  channel: Json
  /** The last JSON body the fake received. */
  lastBody(): Json
  /** How many requests the fake received. */
  requestCount(): number
  reset(): void
  stop(): Promise<void>
  /** The answer text the provider's fixtures hold (stream fixtures may differ from complete ones; an OpenAI upstream answers Responses clients from its Responses fixtures). */
  expectedText(stream: boolean, clientDialect: string): string
  /** The tool call the provider's tool fixtures hold. */
  expectedToolCall(stream: boolean, clientDialect: string): { name: string; args: Json }
  /** Reading the upstream request body in the provider's own format. */
  systemOf(body: Json): string
  /** Every message's role and text, in the provider's own role names. */
  turnsOf(body: Json): Array<{ role: string; text: string }>
  hasImage(body: Json): boolean
  toolResultOf(body: Json): string | undefined
  toolsOf(body: Json): string[]
}

const textOfParts = (parts: unknown): string =>
  Array.isArray(parts)
    ? parts.map((part) => (typeof (part as Json).text === 'string' ? ((part as Json).text as string) : '')).join('')
    : typeof parts === 'string'
      ? parts
      : ''

function openAIChatReaders() {
  const messages = (body: Json) => (body.messages as Json[] | undefined) ?? []
  return {
    expectedText: (stream: boolean) =>
      stream
        ? loadChunks<{ choices: Array<{ delta?: { content?: string } }> }>('openai', 'openai-chat-text.chunks.txt')
            .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
            .join('')
        : String(loadFixture<{ choices: Array<{ message: { content: string } }> }>('openai', 'openai-chat-text.json').choices[0]?.message.content),
    expectedToolCall: (stream: boolean) => {
      if (stream) {
        const chunks = loadChunks<{ choices: Array<{ delta?: { tool_calls?: Array<{ function?: { name?: string; arguments?: string } }> } }> }>(
          'openai',
          'openai-chat-tool-call.chunks.txt',
        )
        const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta?.tool_calls ?? [])
        return {
          name: calls.map((call) => call.function?.name ?? '').join(''),
          args: JSON.parse(calls.map((call) => call.function?.arguments ?? '').join('')) as Json,
        }
      }
      const call = loadFixture<{ choices: Array<{ message: { tool_calls: Array<{ function: { name: string; arguments: string } }> } }> }>(
        'openai',
        'openai-chat-tool-call.json',
      ).choices[0]!.message.tool_calls[0]!
      return { name: call.function.name, args: JSON.parse(call.function.arguments) as Json }
    },
    systemOf: (body: Json) =>
      messages(body)
        .filter((message) => message.role === 'system' || message.role === 'developer')
        .map((message) => textOfParts(message.content))
        .join('\n'),
    turnsOf: (body: Json) =>
      messages(body)
        .filter((message) => message.role !== 'system' && message.role !== 'developer')
        .map((message) => ({ role: String(message.role), text: textOfParts(message.content) })),
    hasImage: (body: Json) =>
      messages(body).some((message) => Array.isArray(message.content) && (message.content as Json[]).some((part) => part.type === 'image_url')),
    toolResultOf: (body: Json) => {
      const tool = messages(body).find((message) => message.role === 'tool')
      return tool ? textOfParts(tool.content) : undefined
    },
    toolsOf: (body: Json) => ((body.tools as Array<{ function: { name: string } }> | undefined) ?? []).map((tool) => tool.function.name),
  }
}

/** Reads OpenAI Responses bodies and fixtures: what an OpenAI upstream gets from a Responses client (passthrough). */
function openAIResponsesReaders() {
  const items = (body: Json) => (typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : ((body.input as Json[] | undefined) ?? []))
  const messages = (body: Json) => items(body).filter((item) => item.role !== undefined && (item.type === undefined || item.type === 'message'))
  const finalText = (response: Json) =>
    ((response.output as Json[] | undefined) ?? [])
      .filter((item) => item.type === 'message')
      .flatMap((item) => item.content as Json[])
      .map((part) => String(part.text ?? ''))
      .join('')
  return {
    expectedText: (stream: boolean) =>
      stream
        ? loadChunks<Json>('openai', 'openai-responses-text.chunks.txt')
            .filter((event) => event.type === 'response.output_text.delta')
            .map((event) => String(event.delta))
            .join('')
        : finalText(loadFixture<Json>('openai', 'openai-responses-text.json')),
    expectedToolCall: () => {
      const call = (loadFixture<Json>('openai', 'openai-responses-function-call.json').output as Json[]).find((item) => item.type === 'function_call')!
      return { name: String(call.name), args: JSON.parse(String(call.arguments)) as Json }
    },
    systemOf: (body: Json) =>
      [
        typeof body.instructions === 'string' ? body.instructions : '',
        ...messages(body)
          .filter((item) => item.role === 'system' || item.role === 'developer')
          .map((item) => textOfParts(item.content)),
      ]
        .filter(Boolean)
        .join('\n'),
    turnsOf: (body: Json) =>
      messages(body)
        .filter((item) => item.role !== 'system' && item.role !== 'developer')
        .map((item) => ({ role: String(item.role), text: textOfParts(item.content) })),
    hasImage: (body: Json) =>
      messages(body).some((item) => Array.isArray(item.content) && (item.content as Json[]).some((part) => part.type === 'input_image')),
    toolResultOf: (body: Json) => {
      const output = items(body).find((item) => item.type === 'function_call_output')
      return output ? String(output.output) : undefined
    },
    toolsOf: (body: Json) => ((body.tools as Array<{ name: string }> | undefined) ?? []).map((tool) => tool.name),
  }
}

/** OpenAI-format upstreams read Chat or Responses bodies, whichever the client's dialect passed through. */
function openAIReaders() {
  const chat = openAIChatReaders()
  const responses = openAIResponsesReaders()
  const pick = (body: Json) => ('input' in body ? responses : chat)
  return {
    expectedText: (stream: boolean, clientDialect: string) => (clientDialect === 'openai.responses' ? responses : chat).expectedText(stream),
    expectedToolCall: (stream: boolean, clientDialect: string) =>
      clientDialect === 'openai.responses' ? responses.expectedToolCall() : chat.expectedToolCall(stream),
    systemOf: (body: Json) => pick(body).systemOf(body),
    turnsOf: (body: Json) => pick(body).turnsOf(body),
    hasImage: (body: Json) => pick(body).hasImage(body),
    toolResultOf: (body: Json) => pick(body).toolResultOf(body),
    toolsOf: (body: Json) => pick(body).toolsOf(body),
  }
}

/** OpenAI itself. */
export async function openAIProvider(): Promise<ProviderAdapter> {
  const fake = await startFakeOpenAI()
  return {
    name: 'OpenAI',
    model: 'gpt-4o-mini',
    assistantRole: 'assistant',
    channel: { name: 'openai', type: 'openai', key: 'sk-openai', baseUrl: fake.url, models: ['gpt-4o-mini'] },
    lastBody: () => fake.requests.at(-1)?.body ?? {},
    requestCount: () => fake.requests.length,
    reset: () => fake.reset(),
    stop: () => fake.stop(),
    ...openAIReaders(),
  }
}

/** Azure OpenAI (OpenAI's format behind deployment URLs). */
export async function azureProvider(): Promise<ProviderAdapter> {
  const fake = await startFakeAzure({ apiKey: 'azure-key', deployments: { 'gpt-41-mini': 'gpt-4.1-mini' } })
  return {
    name: 'Azure',
    model: 'gpt-4.1-mini',
    assistantRole: 'assistant',
    channel: { name: 'azure', type: 'azure', key: 'azure-key', baseUrl: fake.url, models: ['gpt-4.1-mini'] },
    lastBody: () => fake.requests.at(-1)?.body ?? {},
    requestCount: () => fake.requests.length,
    reset: () => fake.reset(),
    stop: () => fake.stop(),
    ...openAIReaders(),
  }
}

/** Anthropic Claude. */
export async function claudeProvider(): Promise<ProviderAdapter> {
  const fake = await startFakeAnthropic()
  const messages = (body: Json) => (body.messages as Json[] | undefined) ?? []
  const blocks = (message: Json) => (Array.isArray(message.content) ? (message.content as Json[]) : [{ type: 'text', text: message.content }])
  return {
    name: 'Claude',
    model: 'claude-sonnet-4-5',
    assistantRole: 'assistant',
    channel: { name: 'claude', type: 'claude', key: 'sk-ant-test', baseUrl: fake.url, models: ['claude-sonnet-4-5'] },
    lastBody: () => fake.requests.at(-1)?.body ?? {},
    requestCount: () => fake.requests.length,
    reset: () => fake.reset(),
    stop: () => fake.stop(),
    expectedText: (stream) =>
      stream
        ? loadChunks<{ type: string; delta?: { type: string; text?: string } }>('claude', 'claude-text.chunks.txt')
            .filter((event) => event.delta?.type === 'text_delta')
            .map((event) => event.delta?.text ?? '')
            .join('')
        : loadFixture<{ content: Json[] }>('claude', 'claude-text.json')
            .content.filter((block) => block.type === 'text')
            .map((block) => String(block.text))
            .join(''),
    expectedToolCall: (stream) => {
      if (stream) {
        const events = loadChunks<Json>('claude', 'claude-tool-use.chunks.txt')
        const start = events.find((event) => (event.content_block as Json | undefined)?.type === 'tool_use')?.content_block as Json
        const json = events
          .map((event) => event.delta as Json | undefined)
          .filter((delta) => delta?.type === 'input_json_delta')
          .map((delta) => String(delta?.partial_json ?? ''))
          .join('')
        return { name: String(start.name), args: JSON.parse(json || '{}') as Json }
      }
      const block = loadFixture<{ content: Json[] }>('claude', 'claude-tool-use.json').content.find((item) => item.type === 'tool_use')!
      return { name: String(block.name), args: block.input as Json }
    },
    systemOf: (body) => (typeof body.system === 'string' ? body.system : textOfParts(body.system)),
    turnsOf: (body) =>
      messages(body).map((message) => ({
        role: String(message.role),
        text: blocks(message)
          .filter((block) => block.type === 'text')
          .map((block) => String(block.text))
          .join(''),
      })),
    hasImage: (body) => messages(body).some((message) => blocks(message).some((block) => block.type === 'image')),
    toolResultOf: (body) => {
      const result = messages(body)
        .flatMap(blocks)
        .find((block) => block.type === 'tool_result')
      return result ? textOfParts(result.content) : undefined
    },
    toolsOf: (body) => ((body.tools as Array<{ name: string }> | undefined) ?? []).map((tool) => tool.name),
  }
}

/** Google Gemini. */
export async function geminiProvider(): Promise<ProviderAdapter> {
  const fake = await startFakeGemini()
  const contents = (body: Json) => (body.contents as Json[] | undefined) ?? []
  const parts = (content: Json) => (content.parts as Json[] | undefined) ?? []
  const answerText = (response: Json) => ((response.candidates as Json[] | undefined)?.[0]?.content as Json | undefined)?.parts as Json[] | undefined
  return {
    name: 'Gemini',
    model: 'gemini-2.5-flash',
    assistantRole: 'model',
    channel: { name: 'gemini', type: 'gemini', key: 'gemini-key', baseUrl: fake.url, models: ['gemini-2.5-flash'] },
    lastBody: () => fake.requests.at(-1)?.body ?? {},
    requestCount: () => fake.requests.length,
    reset: () => fake.reset(),
    stop: () => fake.stop(),
    expectedText: (stream) => {
      const responses = stream ? loadChunks<Json>('gemini', 'gemini-text.chunks.txt') : [loadFixture<Json>('gemini', 'gemini-text.json')]
      return responses
        .map((response) =>
          (answerText(response) ?? [])
            .filter((part) => !part.thought && typeof part.text === 'string')
            .map((part) => String(part.text))
            .join(''),
        )
        .join('')
    },
    expectedToolCall: (stream) => {
      const responses = stream ? loadChunks<Json>('gemini', 'gemini-function-call.chunks.txt') : [loadFixture<Json>('gemini', 'gemini-function-call.json')]
      const call = responses.flatMap((response) => answerText(response) ?? []).find((part) => part.functionCall)!.functionCall as Json
      return { name: String(call.name), args: call.args as Json }
    },
    systemOf: (body) => textOfParts((body.systemInstruction as Json | undefined)?.parts),
    turnsOf: (body) =>
      contents(body).map((content) => ({
        role: String(content.role),
        text: parts(content)
          .filter((part) => typeof part.text === 'string')
          .map((part) => String(part.text))
          .join(''),
      })),
    hasImage: (body) => contents(body).some((content) => parts(content).some((part) => part.inlineData)),
    toolResultOf: (body) => {
      const response = contents(body)
        .flatMap(parts)
        .find((part) => part.functionResponse)?.functionResponse as Json | undefined
      if (!response) return undefined
      const payload = response.response as Json
      return typeof payload.result === 'string' ? payload.result : typeof payload.content === 'string' ? payload.content : JSON.stringify(payload)
    },
    toolsOf: (body) =>
      ((body.tools as Array<{ functionDeclarations?: Array<{ name: string }> }> | undefined) ?? [])
        .flatMap((tool) => tool.functionDeclarations ?? [])
        .map((declaration) => declaration.name),
  }
}
