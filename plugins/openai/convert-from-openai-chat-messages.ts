import type { HubMessage, HubPart } from '@hanggent/plugin-sdk'
import { isRecord } from '@hanggent/plugin-sdk'
import type { OpenAIChatRequest } from '../../schemas/openai-chat.ts'
import { parseDataUrl } from './data-url.ts'

// see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
// Tool messages name only the call id; the function name comes from the assistant call it answers.
// Legacy `function` messages name the function but no id, so their calls get ids derived from the
// message position (pure, and stable across retries).

/** A part as it may arrive: only `type` is validated upfront, so every payload field may be missing. */
interface LoosePart {
  type: string
  text?: unknown
  refusal?: unknown
  image_url?: { url?: unknown; detail?: 'auto' | 'low' | 'high' }
  input_audio?: { data?: unknown; format?: unknown }
  file?: { file_data?: string; file_id?: string; filename?: string }
}

/** One message as the request schema checked it; fields the schema leaves open are read through guards. */
type OpenAIChatMessage = OpenAIChatRequest['messages'][number]

/** A legacy `function_call` of an assistant message (a field the schema leaves open). */
interface LegacyFunctionCall {
  name: string
  arguments: string
}

/** A field the message schema leaves open (additional properties), as sent. */
function openField(message: Record<string, unknown>, name: string): unknown {
  return message[name]
}

function isLegacyFunctionCall(value: unknown): value is LegacyFunctionCall {
  return isRecord(value) && typeof value.name === 'string' && typeof value.arguments === 'string'
}

/** A non-empty string field the schema leaves open, or undefined. */
function openText(message: Record<string, unknown>, name: string): string | undefined {
  const value = openField(message, name)
  return typeof value === 'string' && value !== '' ? value : undefined
}

interface DecodeState {
  warnings: string[]
  /** Function name of every tool call seen so far, by call id. */
  callNames: Map<string, string>
  /** Ids given to legacy `function_call`s not yet answered, by function name. */
  legacyCalls: Map<string, string[]>
}

/** One user-side content part in hub form; undefined (with a warning) when the hub has no such part. */
function convertPart(part: LoosePart, path: string, state: DecodeState): HubPart | undefined {
  // A part missing its payload is dropped like an unknown one.
  if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text }
  if (part.type === 'refusal' && typeof part.refusal === 'string') return { type: 'text', text: part.refusal }
  if (part.type === 'image_url' && typeof part.image_url?.url === 'string') {
    const inline = parseDataUrl(part.image_url.url)
    const image: HubPart = inline ? { type: 'image', data: inline.data, mediaType: inline.mediaType } : { type: 'image', url: part.image_url.url }
    if (part.image_url.detail) image.detail = part.image_url.detail
    return image
  }
  if (part.type === 'input_audio' && part.input_audio)
    return { type: 'audio', data: String(part.input_audio.data ?? ''), format: String(part.input_audio.format ?? '') }
  if (part.type === 'file' && part.file) return convertFilePart(part.file, path, state)
  state.warnings.push(`${path}: content part of type "${part.type}" has no hub equivalent and was dropped`)
  return undefined
}

function convertFilePart(file: { file_data?: string; file_id?: string; filename?: string }, path: string, state: DecodeState): HubPart | undefined {
  const inline = file.file_data ? parseDataUrl(file.file_data) : undefined
  if (!inline) {
    state.warnings.push(`${path}: file parts are carried only as inline file_data; a file_id cannot cross the hub and was dropped`)
    return undefined
  }
  const part: HubPart = { type: 'file', data: inline.data, mediaType: inline.mediaType }
  if (file.filename) part.name = file.filename
  return part
}

function convertContent(content: OpenAIChatMessage['content'], path: string, state: DecodeState): HubPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }]
  if (!Array.isArray(content)) return []
  const parts: HubPart[] = []
  content.forEach((part, index) => {
    const converted = convertPart(part, `${path}[${index}]`, state)
    if (converted) parts.push(converted)
  })
  return parts
}

/** Keeps only text in roles whose content the hub (and most providers) take as text. */
function textOnly(parts: HubPart[], path: string, state: DecodeState): HubPart[] {
  const texts = parts.filter((part) => part.type === 'text')
  if (texts.length < parts.length) state.warnings.push(`${path}: only text parts are kept in this role`)
  return texts
}

function convertAssistant(message: OpenAIChatMessage, index: number, state: DecodeState): HubMessage {
  const content: HubPart[] = []
  const reasoning = openText(message, 'reasoning_content')
  if (reasoning !== undefined) content.push({ type: 'reasoning', text: reasoning })
  const texts = textOnly(convertContent(message.content, `messages[${index}].content`, state), `messages[${index}].content`, state)
  content.push(...texts.filter((part) => part.type !== 'text' || part.text !== ''))
  const refusal = openText(message, 'refusal')
  if (refusal !== undefined) content.push({ type: 'text', text: refusal })
  for (const call of message.tool_calls ?? []) {
    state.callNames.set(call.id, call.function.name)
    content.push({ type: 'tool-call', id: call.id, name: call.function.name, arguments: call.function.arguments })
  }
  const legacy = openField(message, 'function_call')
  if (isLegacyFunctionCall(legacy)) {
    const id = `call_legacy_${index}`
    const pending = state.legacyCalls.get(legacy.name) ?? []
    state.legacyCalls.set(legacy.name, [...pending, id])
    state.callNames.set(id, legacy.name)
    content.push({ type: 'tool-call', id, name: legacy.name, arguments: legacy.arguments })
    state.warnings.push(`messages[${index}].function_call is deprecated; carried as a tool call`)
  }
  return { role: 'assistant', content }
}

function toolResultContent(message: OpenAIChatMessage, index: number, state: DecodeState): string | HubPart[] {
  if (typeof message.content === 'string') return message.content
  return textOnly(convertContent(message.content, `messages[${index}].content`, state), `messages[${index}].content`, state)
}

function convertTool(message: OpenAIChatMessage, index: number, state: DecodeState): HubMessage {
  const callId = message.tool_call_id ?? ''
  const name = state.callNames.get(callId)
  const result: HubPart = { type: 'tool-result', callId, content: toolResultContent(message, index, state) }
  if (name !== undefined) result.name = name
  return { role: 'tool', content: [result] }
}

function convertLegacyFunction(message: OpenAIChatMessage, index: number, state: DecodeState): HubMessage {
  const name = message.name ?? ''
  const pending = state.legacyCalls.get(name) ?? []
  const callId = pending.shift() ?? `call_legacy_${index}`
  state.warnings.push(`messages[${index}] uses the deprecated "function" role; carried as a tool result`)
  return { role: 'tool', content: [{ type: 'tool-result', callId, name, content: toolResultContent(message, index, state) }] }
}

function convertMessage(message: OpenAIChatMessage, index: number, state: DecodeState): HubMessage {
  const path = `messages[${index}].content`
  if (message.name !== undefined && message.role !== 'function') state.warnings.push(`messages[${index}].name has no hub equivalent and was dropped`)
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOnly(convertContent(message.content, path, state), path, state) }
    case 'user':
      return { role: 'user', content: convertContent(message.content, path, state) }
    case 'assistant':
      return convertAssistant(message, index, state)
    case 'tool':
      return convertTool(message, index, state)
    case 'function':
      return convertLegacyFunction(message, index, state)
    default:
      // The request schema admits only the roles above.
      throw new Error(`messages[${index}].role "${message.role}" is not a chat role`)
  }
}

/** Chat messages in hub form; `developer` becomes `system`, tool and function results become `tool` turns. */
export function convertFromOpenAIChatMessages(messages: OpenAIChatMessage[]): { messages: HubMessage[]; warnings: string[] } {
  const state: DecodeState = { warnings: [], callNames: new Map(), legacyCalls: new Map() }
  return { messages: messages.map((message, index) => convertMessage(message, index, state)), warnings: state.warnings }
}
