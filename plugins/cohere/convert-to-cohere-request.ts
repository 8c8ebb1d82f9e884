import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubMessage, HubPart } from '@hanggent/plugin-sdk'
import type { CohereMessage } from './cohere-api.ts'

// see https://docs.cohere.com/reference/chat (request body)

/** The text of parts, with a warning for each part Cohere's chat cannot take. */
function textOf(parts: HubPart[], warnings: string[]): string {
  const texts: string[] = []
  for (const part of parts) {
    if (part.type === 'text') texts.push(part.text)
    else if (part.type !== 'reasoning') warnings.push(`${part.type} content is not sent to Cohere in this message`)
  }
  return texts.join('\n')
}

/** One hub message as Cohere messages (a tool message per tool result). */
function convertMessage(message: HubMessage, warnings: string[]): CohereMessage[] {
  if (message.role === 'system') return [{ role: 'system', content: textOf(message.content, warnings) }]
  if (message.role === 'tool' || message.content.some((part) => part.type === 'tool-result')) {
    return message.content.flatMap((part): CohereMessage[] => {
      if (part.type !== 'tool-result') return []
      const content = typeof part.content === 'string' ? part.content : textOf(part.content, warnings)
      return [{ role: 'tool', tool_call_id: part.callId, content }]
    })
  }
  if (message.role === 'assistant') {
    const calls = message.content.filter((part) => part.type === 'tool-call')
    const text = textOf(
      message.content.filter((part) => part.type !== 'tool-call'),
      warnings,
    )
    return [
      {
        role: 'assistant',
        ...(text === '' ? {} : { content: text }),
        ...(calls.length === 0
          ? {}
          : { tool_calls: calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })) }),
      },
    ]
  }
  type UserContent = Extract<CohereMessage, { role: 'user' }>['content'][number]
  const content = message.content.flatMap((part): UserContent[] => {
    if (part.type === 'text') return [{ type: 'text' as const, text: part.text }]
    if (part.type === 'image' && part.url) return [{ type: 'image_url' as const, image_url: { url: part.url } }]
    if (part.type === 'image' && part.data)
      return [{ type: 'image_url' as const, image_url: { url: `data:${part.mediaType ?? 'image/png'};base64,${part.data}` } }]
    warnings.push(`${part.type} content is not sent to Cohere`)
    return []
  })
  return [{ role: 'user', content }]
}

/** A hub chat request as a Cohere v2 chat body; what Cohere has no field for is named in the warnings. */
export function convertToCohereRequest(request: HubChatRequest): Converted<Record<string, unknown>> {
  const warnings: string[] = []
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.flatMap((message) => convertMessage(message, warnings)),
    stream: request.stream,
  }
  if (request.maxOutputTokens !== undefined) body.max_tokens = request.maxOutputTokens
  if (request.temperature !== undefined) body.temperature = request.temperature
  if (request.topP !== undefined) body.p = request.topP
  if (request.topK !== undefined) body.k = request.topK
  if (request.stop !== undefined) body.stop_sequences = request.stop
  if (request.seed !== undefined) body.seed = request.seed
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.parameters },
    }))
  }
  if (request.toolChoice === 'required') body.tool_choice = 'REQUIRED'
  else if (request.toolChoice === 'none') body.tool_choice = 'NONE'
  else if (typeof request.toolChoice === 'object') warnings.push('tool_choice naming one tool is sent as "required" to Cohere')
  if (typeof request.toolChoice === 'object') body.tool_choice = 'REQUIRED'
  if (request.responseFormat?.type === 'json_object') body.response_format = { type: 'json_object' }
  else if (request.responseFormat?.type === 'json_schema') body.response_format = { type: 'json_object', json_schema: request.responseFormat.schema }
  if (request.candidateCount !== undefined && request.candidateCount > 1) warnings.push('Cohere answers with one choice; n was ignored')
  if (request.reasoning) warnings.push('reasoning controls are not sent to Cohere')
  return { value: body, warnings }
}
