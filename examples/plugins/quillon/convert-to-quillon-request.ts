import { omitUndefined, type Converted, type HubChatRequest, type HubMessage, type HubPart } from '@hanggent/plugin-sdk'
import type { QuillonMessage, QuillonUserPart } from './quillon-api.ts'

// A hub request as Quillon's chat body: OpenAI's chat completions shape, which Quillon accepts as is.
// What Quillon has no field for is named in the warnings (logged by the gateway), never dropped silently.

/** The text of parts; other parts are named in the warnings. */
function textOf(parts: HubPart[], warnings: string[]): string {
  const texts: string[] = []
  for (const part of parts) {
    if (part.type === 'text') texts.push(part.text)
    else if (part.type !== 'reasoning' && part.type !== 'tool-call') warnings.push(`${part.type} content is not sent to Quillon in this message`)
  }
  return texts.join('\n')
}

/** A user part as Quillon's, or undefined (with a warning) for what Quillon cannot take. */
function userPart(part: HubPart, warnings: string[]): QuillonUserPart | undefined {
  if (part.type === 'text') return { type: 'text', text: part.text }
  if (part.type === 'image' && part.url) return { type: 'image_url', image_url: { url: part.url } }
  if (part.type === 'image' && part.data) return { type: 'image_url', image_url: { url: `data:${part.mediaType ?? 'image/png'};base64,${part.data}` } }
  warnings.push(`${part.type} content is not sent to Quillon`)
  return undefined
}

/** One hub message as Quillon messages: a tool message per tool result. */
function convertMessage(message: HubMessage, warnings: string[]): QuillonMessage[] {
  if (message.role === 'system') return [{ role: 'system', content: textOf(message.content, warnings) }]
  const results = message.content.filter((part) => part.type === 'tool-result')
  if (results.length > 0) {
    return results.map((part) => ({
      role: 'tool',
      tool_call_id: part.callId,
      content: typeof part.content === 'string' ? part.content : textOf(part.content, warnings),
    }))
  }
  if (message.role === 'assistant') {
    const calls = message.content.filter((part) => part.type === 'tool-call')
    const text = textOf(message.content, warnings)
    return [
      {
        role: 'assistant',
        content: text === '' ? null : text,
        ...(calls.length === 0
          ? {}
          : { tool_calls: calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })) }),
      },
    ]
  }
  const parts = message.content.flatMap((part) => userPart(part, warnings) ?? [])
  const onlyText = parts.every((part) => part.type === 'text')
  return [{ role: 'user', content: onlyText ? parts.map((part) => (part.type === 'text' ? part.text : '')).join('\n') : parts }]
}

/** The sampling parameters Quillon shares with OpenAI, those that are set. */
function samplingOf(request: HubChatRequest): Record<string, unknown> {
  return omitUndefined({
    max_tokens: request.maxOutputTokens,
    temperature: request.temperature,
    top_p: request.topP,
    stop: request.stop,
    seed: request.seed,
    presence_penalty: request.presencePenalty,
    frequency_penalty: request.frequencyPenalty,
    user: request.user,
  })
}

/** The hub's tool choice in OpenAI's words. */
function toolChoiceOf(choice: HubChatRequest['toolChoice']): unknown {
  if (choice === undefined) return undefined
  return typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice
}

/** A hub chat request as an Quillon chat body. */
export function convertToQuillonRequest(request: HubChatRequest): Converted<Record<string, unknown>> {
  const warnings: string[] = []
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.flatMap((message) => convertMessage(message, warnings)),
    stream: request.stream,
    ...samplingOf(request),
  }
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.parameters },
    }))
    const choice = toolChoiceOf(request.toolChoice)
    if (choice !== undefined) body.tool_choice = choice
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls
  }
  if (request.responseFormat?.type === 'json_object') body.response_format = { type: 'json_object' }
  else if (request.responseFormat?.type === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: {
        name: request.responseFormat.name,
        schema: request.responseFormat.schema,
        ...(request.responseFormat.strict === undefined ? {} : { strict: request.responseFormat.strict }),
      },
    }
  }
  if (request.topK !== undefined) warnings.push('top_k is not sent to Quillon')
  if (request.candidateCount !== undefined && request.candidateCount > 1) warnings.push('Quillon answers with one choice; n was ignored')
  if (request.reasoning) warnings.push('reasoning controls are not sent to Quillon')
  return { value: body, warnings }
}
