import OpenAI from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI, type Content } from '@google/genai'

// One adapter per client dialect, each driving the official SDK the way an application would.

/** A tiny PNG (1×1, red), sent as an image part by every client. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='

/** A turn of the scripted conversations, in neutral form. */
export type Turn =
  | { role: 'user'; text: string; image?: boolean }
  | { role: 'assistant'; text: string }
  | { role: 'assistant-call'; id: string; name: string; args: Record<string, unknown> }
  | { role: 'tool'; id: string; name: string; result: string }

/** What a client got back, in neutral form. */
export interface Answer {
  text: string
  reasoning: string
  toolCalls: Array<{ id: string; name: string; args: Record<string, unknown> }>
}

/** The weather tool every tool test offers. */
export const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a location',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['location'],
  },
}

/** A chat call a test makes. */
export interface Ask {
  model: string
  system?: string
  turns: Turn[]
  tools?: boolean
  stream: boolean
}

/** A client dialect driven through its SDK. */
export interface ClientAdapter {
  dialect: string
  ask(ask: Ask): Promise<Answer>
}

const empty = (): Answer => ({ text: '', reasoning: '', toolCalls: [] })
const parseArgs = (text: string) => (text ? (JSON.parse(text) as Record<string, unknown>) : {})

/** OpenAI Chat Completions. */
export function openAIChatClient(baseUrl: string, key: string): ClientAdapter {
  const client = new OpenAI({ apiKey: key, baseURL: `${baseUrl}/v1`, maxRetries: 0 })
  const messages = (ask: Ask): OpenAI.ChatCompletionMessageParam[] => [
    ...(ask.system ? [{ role: 'system' as const, content: ask.system }] : []),
    ...ask.turns.map((turn): OpenAI.ChatCompletionMessageParam => {
      if (turn.role === 'user')
        return {
          role: 'user',
          content: turn.image
            ? [
                { type: 'text', text: turn.text },
                { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
              ]
            : turn.text,
        }
      if (turn.role === 'assistant') return { role: 'assistant', content: turn.text }
      if (turn.role === 'assistant-call')
        return {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: turn.id, type: 'function', function: { name: turn.name, arguments: JSON.stringify(turn.args) } }],
        }
      return { role: 'tool', tool_call_id: turn.id, content: turn.result }
    }),
  ]
  return {
    dialect: 'openai.chat',
    async ask(ask) {
      const params = { model: ask.model, messages: messages(ask), ...(ask.tools ? { tools: [{ type: 'function' as const, function: weatherTool }] } : {}) }
      const answer = empty()
      if (!ask.stream) {
        const completion = await client.chat.completions.create(params)
        const message = completion.choices[0]?.message
        answer.text = message?.content ?? ''
        answer.reasoning = (message as { reasoning_content?: string } | undefined)?.reasoning_content ?? ''
        for (const call of message?.tool_calls ?? [])
          if (call.type === 'function') answer.toolCalls.push({ id: call.id, name: call.function.name, args: parseArgs(call.function.arguments) })
        return answer
      }
      const calls = new Map<number, { id: string; name: string; args: string }>()
      for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {
        const delta = chunk.choices[0]?.delta as (OpenAI.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string }) | undefined
        answer.text += delta?.content ?? ''
        answer.reasoning += delta?.reasoning_content ?? ''
        for (const call of delta?.tool_calls ?? []) {
          const entry = calls.get(call.index) ?? { id: '', name: '', args: '' }
          entry.id ||= call.id ?? ''
          entry.name += call.function?.name ?? ''
          entry.args += call.function?.arguments ?? ''
          calls.set(call.index, entry)
        }
      }
      answer.toolCalls = [...calls.values()].map((call) => ({ id: call.id, name: call.name, args: parseArgs(call.args) }))
      return answer
    },
  }
}

/** OpenAI Responses. */
export function openAIResponsesClient(baseUrl: string, key: string): ClientAdapter {
  const client = new OpenAI({ apiKey: key, baseURL: `${baseUrl}/v1`, maxRetries: 0 })
  const input = (ask: Ask): OpenAI.Responses.ResponseInput =>
    ask.turns.map((turn): OpenAI.Responses.ResponseInputItem => {
      if (turn.role === 'user')
        return {
          role: 'user',
          content: turn.image
            ? [
                { type: 'input_text', text: turn.text },
                { type: 'input_image', image_url: `data:image/png;base64,${PNG_BASE64}`, detail: 'auto' },
              ]
            : turn.text,
        }
      if (turn.role === 'assistant') return { role: 'assistant', content: turn.text }
      if (turn.role === 'assistant-call') return { type: 'function_call', call_id: turn.id, name: turn.name, arguments: JSON.stringify(turn.args) }
      return { type: 'function_call_output', call_id: turn.id, output: turn.result }
    })
  const read = (response: OpenAI.Responses.Response): Answer => {
    const answer = empty()
    for (const item of response.output) {
      if (item.type === 'message') for (const part of item.content) answer.text += part.type === 'output_text' ? part.text : ''
      if (item.type === 'reasoning') answer.reasoning += item.summary.map((summary) => summary.text).join('')
      if (item.type === 'function_call') answer.toolCalls.push({ id: item.call_id, name: item.name, args: parseArgs(item.arguments) })
    }
    return answer
  }
  return {
    dialect: 'openai.responses',
    async ask(ask) {
      const params = {
        model: ask.model,
        input: input(ask),
        ...(ask.system ? { instructions: ask.system } : {}),
        ...(ask.tools ? { tools: [{ type: 'function' as const, strict: false, ...weatherTool }] } : {}),
      }
      if (!ask.stream) return read(await client.responses.create(params))
      const stream = client.responses.stream(params)
      let streamedText = ''
      stream.on('response.output_text.delta', (event) => {
        streamedText += event.delta
      })
      const answer = read(await stream.finalResponse())
      if (streamedText !== answer.text) throw new Error(`streamed text "${streamedText}" differs from the final response text "${answer.text}"`)
      return answer
    },
  }
}

/** Anthropic Messages. */
export function claudeClient(baseUrl: string, key: string): ClientAdapter {
  const client = new Anthropic({ apiKey: key, baseURL: baseUrl, maxRetries: 0 })
  const messages = (ask: Ask): Anthropic.MessageParam[] =>
    ask.turns.map((turn): Anthropic.MessageParam => {
      if (turn.role === 'user')
        return {
          role: 'user',
          content: turn.image
            ? [
                { type: 'text', text: turn.text },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
              ]
            : turn.text,
        }
      if (turn.role === 'assistant') return { role: 'assistant', content: turn.text }
      if (turn.role === 'assistant-call') return { role: 'assistant', content: [{ type: 'tool_use', id: turn.id, name: turn.name, input: turn.args }] }
      return { role: 'user', content: [{ type: 'tool_result', tool_use_id: turn.id, content: turn.result }] }
    })
  const read = (message: Anthropic.Message): Answer => {
    const answer = empty()
    for (const block of message.content) {
      if (block.type === 'text') answer.text += block.text
      if (block.type === 'thinking') answer.reasoning += block.thinking
      if (block.type === 'tool_use') answer.toolCalls.push({ id: block.id, name: block.name, args: block.input as Record<string, unknown> })
    }
    return answer
  }
  return {
    dialect: 'claude.messages',
    async ask(ask) {
      const params = {
        model: ask.model,
        max_tokens: 1024,
        messages: messages(ask),
        ...(ask.system ? { system: ask.system } : {}),
        ...(ask.tools
          ? { tools: [{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.parameters as Anthropic.Tool.InputSchema }] }
          : {}),
      }
      if (!ask.stream) return read(await client.messages.create(params))
      const stream = client.messages.stream(params)
      let streamedText = ''
      stream.on('text', (text) => {
        streamedText += text
      })
      const answer = read(await stream.finalMessage())
      if (streamedText !== answer.text) throw new Error(`streamed text "${streamedText}" differs from the final message text "${answer.text}"`)
      return answer
    },
  }
}

/** Google Gemini (generateContent), on the SDK's default API version. */
export function geminiClient(baseUrl: string, key: string): ClientAdapter {
  const client = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl } })
  const contents = (ask: Ask): Content[] =>
    ask.turns.map((turn): Content => {
      if (turn.role === 'user')
        return { role: 'user', parts: turn.image ? [{ text: turn.text }, { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }] : [{ text: turn.text }] }
      if (turn.role === 'assistant') return { role: 'model', parts: [{ text: turn.text }] }
      if (turn.role === 'assistant-call') return { role: 'model', parts: [{ functionCall: { id: turn.id, name: turn.name, args: turn.args } }] }
      return { role: 'user', parts: [{ functionResponse: { id: turn.id, name: turn.name, response: { result: turn.result } } }] }
    })
  return {
    dialect: 'gemini.generate',
    async ask(ask) {
      const params = {
        model: ask.model,
        contents: contents(ask),
        config: {
          ...(ask.system ? { systemInstruction: ask.system } : {}),
          ...(ask.tools
            ? {
                tools: [
                  { functionDeclarations: [{ name: weatherTool.name, description: weatherTool.description, parametersJsonSchema: weatherTool.parameters }] },
                ],
              }
            : {}),
        },
      }
      const answer = empty()
      const responses = ask.stream ? await client.models.generateContentStream(params) : [await client.models.generateContent(params)]
      for await (const response of responses) {
        for (const part of response.candidates?.[0]?.content?.parts ?? []) {
          if (part.thought && part.text) answer.reasoning += part.text
          else if (part.text) answer.text += part.text
          if (part.functionCall)
            answer.toolCalls.push({
              id: part.functionCall.id ?? '',
              name: part.functionCall.name ?? '',
              args: (part.functionCall.args ?? {}) as Record<string, unknown>,
            })
        }
      }
      return answer
    },
  }
}
