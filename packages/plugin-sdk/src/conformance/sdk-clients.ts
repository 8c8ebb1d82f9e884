// The official client SDKs the kit calls the gateway with (OpenAI, Anthropic, Google Gen AI), each
// reduced to what a user of that SDK sees: the answer's text and its tool calls. They are optional peer
// dependencies of the SDK, imported only when the gateway step runs.
import type { HubTool } from '../hub.ts'
import { parsedArguments } from './answer-digest.ts'

/** What a client saw. */
export interface ClientAnswer {
  /** The answer's text (reasoning left out). */
  text: string
  /** The tool calls, arguments parsed. */
  toolCalls: Array<{ name: string; arguments: unknown }>
}

/** One client call: which SDK, streamed or not. */
export interface ClientCall {
  /** The gateway's base URL. */
  url: string
  /** The gateway key. */
  key: string
  /** The model asked for. */
  model: string
  /** Streamed or not. */
  stream: boolean
  /** Tools offered, when the fixture has tool calls. */
  tools: HubTool[]
}

/** The three clients by the name failures use. */
export const CLIENTS = {
  'OpenAI SDK chat': callOpenAI,
  'Anthropic SDK messages': callAnthropic,
  'Google Gen AI SDK generateContent': callGemini,
} as const

const PROMPT = 'conformance check: answer as recorded'

async function callOpenAI(call: ClientCall): Promise<ClientAnswer> {
  const { default: OpenAI } = await import('openai')
  const client = new OpenAI({ apiKey: call.key, baseURL: `${call.url}/v1`, maxRetries: 0 })
  const tools = call.tools.map((tool) => ({
    type: 'function' as const,
    function: { name: tool.name, description: tool.description ?? tool.name, parameters: tool.parameters },
  }))
  const request = { model: call.model, messages: [{ role: 'user' as const, content: PROMPT }], ...(tools.length > 0 ? { tools } : {}) }
  if (!call.stream) {
    const message = (await client.chat.completions.create(request)).choices[0]?.message
    const toolCalls = (message?.tool_calls ?? []).flatMap((entry) =>
      entry.type === 'function' ? [{ name: entry.function.name, arguments: parsedArguments(entry.function.arguments) }] : [],
    )
    return { text: message?.content ?? '', toolCalls }
  }
  let text = ''
  const calls = new Map<number, { name: string; text: string }>()
  for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) {
    const delta = chunk.choices[0]?.delta
    text += delta?.content ?? ''
    for (const entry of delta?.tool_calls ?? []) {
      const call = calls.get(entry.index) ?? { name: '', text: '' }
      call.name += entry.function?.name ?? ''
      call.text += entry.function?.arguments ?? ''
      calls.set(entry.index, call)
    }
  }
  return { text, toolCalls: [...calls.values()].map((entry) => ({ name: entry.name, arguments: parsedArguments(entry.text) })) }
}

async function callAnthropic(call: ClientCall): Promise<ClientAnswer> {
  const { default: Anthropic } = await import('@anthropic-ai/sdk')
  const client = new Anthropic({ apiKey: call.key, baseURL: call.url, maxRetries: 0 })
  const tools = call.tools.map((tool) => ({
    name: tool.name,
    description: tool.description ?? tool.name,
    input_schema: { type: 'object' as const, ...tool.parameters },
  }))
  const request = { model: call.model, max_tokens: 1024, messages: [{ role: 'user' as const, content: PROMPT }], ...(tools.length > 0 ? { tools } : {}) }
  const message = call.stream ? await client.messages.stream(request).finalMessage() : await client.messages.create(request)
  let text = ''
  const toolCalls: ClientAnswer['toolCalls'] = []
  for (const block of message.content) {
    if (block.type === 'text') text += block.text
    else if (block.type === 'tool_use') toolCalls.push({ name: block.name, arguments: block.input })
  }
  return { text, toolCalls }
}

async function callGemini(call: ClientCall): Promise<ClientAnswer> {
  const { GoogleGenAI } = await import('@google/genai')
  const client = new GoogleGenAI({ apiKey: call.key, httpOptions: { baseUrl: call.url } })
  const functionDeclarations = call.tools.map((tool) => ({
    name: tool.name,
    description: tool.description ?? tool.name,
    parametersJsonSchema: tool.parameters,
  }))
  const request = {
    model: call.model,
    contents: [{ role: 'user', parts: [{ text: PROMPT }] }],
    ...(functionDeclarations.length > 0 ? { config: { tools: [{ functionDeclarations }] } } : {}),
  }
  const responses = call.stream ? await collect(await client.models.generateContentStream(request)) : [await client.models.generateContent(request)]
  let text = ''
  const toolCalls: ClientAnswer['toolCalls'] = []
  for (const response of responses) {
    for (const part of response.candidates?.[0]?.content?.parts ?? []) {
      if (typeof part.text === 'string' && part.thought !== true) text += part.text
      if (part.functionCall?.name) toolCalls.push({ name: part.functionCall.name, arguments: part.functionCall.args ?? {} })
    }
  }
  return { text, toolCalls }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}
