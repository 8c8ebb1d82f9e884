import { parseJsonObject, type Converted, type HubChatRequest, type HubMessage, type HubPart } from '@hanggent/plugin-sdk'
import type { OllamaChatRequest, OllamaMessage, OllamaOptions, OllamaToolCall } from './ollama-api.ts'

// A hub request as the body of Ollama's `POST /api/chat`. What Ollama cannot take is named in the
// warnings (logged by the gateway), never dropped silently.

/** The text of parts joined; parts Ollama has no place for in this message are named in the warnings. */
function textOf(parts: HubPart[], warnings: string[]): string {
  const texts: string[] = []
  for (const part of parts) {
    if (part.type === 'text') texts.push(part.text)
    else if (part.type !== 'reasoning' && part.type !== 'tool-call' && part.type !== 'image') warnings.push(`${part.type} content is not sent to Ollama`)
  }
  return texts.join('\n')
}

/** The base64 of an image part: inline data, or a data: URL; a remote URL cannot be sent (Ollama takes bytes only). */
function imageOf(part: Extract<HubPart, { type: 'image' }>, warnings: string[]): string | undefined {
  if (part.data) return part.data
  const inline = part.url ? /^data:[^;,]*;base64,(.*)$/s.exec(part.url) : null
  if (inline) return inline[1]
  warnings.push('an image given by URL is not sent to Ollama (it takes base64 images only)')
  return undefined
}

/** A hub tool call's JSON-string arguments as the object Ollama wants; arguments that are not a JSON object become {} with a warning. */
export function toolArgumentsObject(argumentsText: string, warnings: string[]): Record<string, unknown> {
  if (argumentsText.trim() === '') return {}
  const parsed = parseJsonObject(argumentsText)
  if (parsed) return parsed
  warnings.push('tool call arguments that are not a JSON object were sent to Ollama as {}')
  return {}
}

/** One hub message as Ollama messages: one `tool` message per tool result, naming its tool (Ollama has no call ids). */
function convertMessage(message: HubMessage, toolNames: Map<string, string>, warnings: string[]): OllamaMessage[] {
  if (message.role === 'system') return [{ role: 'system', content: textOf(message.content, warnings) }]
  const results = message.content.filter((part) => part.type === 'tool-result')
  if (results.length > 0) {
    return results.map((part) => {
      const name = part.name ?? toolNames.get(part.callId)
      return {
        role: 'tool' as const,
        content: typeof part.content === 'string' ? part.content : textOf(part.content, warnings),
        ...(name ? { tool_name: name } : {}),
      }
    })
  }
  if (message.role === 'assistant') {
    const calls: OllamaToolCall[] = []
    for (const part of message.content) {
      if (part.type !== 'tool-call') continue
      toolNames.set(part.id, part.name)
      calls.push({ function: { name: part.name, arguments: toolArgumentsObject(part.arguments, warnings) } })
    }
    const thinking = message.content.flatMap((part) => (part.type === 'reasoning' && !part.redacted ? [part.text] : [])).join('')
    return [
      {
        role: 'assistant',
        content: textOf(message.content, warnings),
        ...(thinking ? { thinking } : {}),
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      },
    ]
  }
  const images = message.content.flatMap((part) => (part.type === 'image' ? (imageOf(part, warnings) ?? []) : []))
  return [{ role: 'user', content: textOf(message.content, warnings), ...(images.length > 0 ? { images } : {}) }]
}

/** The sampling parameters, in Ollama's `options`; undefined when none is set. */
function optionsOf(request: HubChatRequest): OllamaOptions | undefined {
  const options: OllamaOptions = {}
  if (request.temperature !== undefined) options.temperature = request.temperature
  if (request.topP !== undefined) options.top_p = request.topP
  if (request.topK !== undefined) options.top_k = request.topK
  if (request.maxOutputTokens !== undefined) options.num_predict = request.maxOutputTokens
  if (request.stop !== undefined && request.stop.length > 0) options.stop = request.stop
  if (request.seed !== undefined) options.seed = request.seed
  if (request.presencePenalty !== undefined) options.presence_penalty = request.presencePenalty
  if (request.frequencyPenalty !== undefined) options.frequency_penalty = request.frequencyPenalty
  return Object.keys(options).length > 0 ? options : undefined
}

/** The hub's reasoning controls as Ollama's `think`: off, an effort level, or on. */
function thinkOf(reasoning: HubChatRequest['reasoning']): OllamaChatRequest['think'] {
  if (!reasoning) return undefined
  if (reasoning.enabled === false) return false
  if (reasoning.effort) return reasoning.effort === 'minimal' ? 'low' : reasoning.effort
  return true
}

/** A hub chat request as an Ollama `/api/chat` body. */
export function convertToOllamaRequest(request: HubChatRequest): Converted<Record<string, unknown>> {
  const warnings: string[] = []
  const toolNames = new Map<string, string>()
  const body: OllamaChatRequest = {
    model: request.model,
    messages: request.messages.flatMap((message) => convertMessage(message, toolNames, warnings)),
    stream: request.stream,
  }
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.parameters },
    }))
    if (request.toolChoice !== undefined && request.toolChoice !== 'auto') warnings.push('Ollama has no tool_choice; the model chooses')
  }
  const options = optionsOf(request)
  if (options) body.options = options
  if (request.responseFormat?.type === 'json_object') body.format = 'json'
  else if (request.responseFormat?.type === 'json_schema') body.format = request.responseFormat.schema
  const think = thinkOf(request.reasoning)
  if (think !== undefined) body.think = think
  if (request.candidateCount !== undefined && request.candidateCount > 1) warnings.push('Ollama answers with one choice; n was ignored')
  return { value: body as unknown as Record<string, unknown>, warnings }
}
