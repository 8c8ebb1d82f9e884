import type { HubMessage, HubPart } from '@hanggent/plugin-sdk'
import { GatewayError, isRecord } from '@hanggent/plugin-sdk'
import type { OpenAIResponsesRequest } from '../../schemas/openai-responses.ts'
import { parseDataUrl } from './data-url.ts'
import { reasoningItemSignature } from './convert-openai-responses-result.ts'

// see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
// The Responses API lists a turn as separate items (reasoning, message, function calls); the hub keeps
// one assistant message per turn, so consecutive assistant-side items are merged until a user, system
// or tool item comes. Each function_call_output is one hub `tool` turn, named after the call it answers.
// Reasoning items carry their summary text across the hub, and their id and encrypted content as a
// signature made by OpenAI: only an OpenAI Responses upstream receives those back.

type Json = Record<string, unknown>

interface DecodeState {
  messages: HubMessage[]
  warnings: string[]
  /** The assistant message consecutive assistant-side items are merged into. */
  open?: HubMessage
  /** Function name of every call seen so far, by call id. */
  callNames: Map<string, string>
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '')

function imagePart(part: Json, path: string, state: DecodeState): HubPart | undefined {
  const url = part.image_url
  if (typeof url !== 'string' || url === '') {
    state.warnings.push(`${path}: images given by file_id cannot cross the hub and were dropped`)
    return undefined
  }
  const inline = parseDataUrl(url)
  const image: HubPart = inline ? { type: 'image', data: inline.data, mediaType: inline.mediaType } : { type: 'image', url }
  if (part.detail === 'auto' || part.detail === 'low' || part.detail === 'high') image.detail = part.detail
  return image
}

function filePart(part: Json, path: string, state: DecodeState): HubPart | undefined {
  let file: Extract<HubPart, { type: 'file' }>
  if (typeof part.file_data === 'string') {
    const inline = parseDataUrl(part.file_data)
    file = inline ? { type: 'file', data: inline.data, mediaType: inline.mediaType } : { type: 'file', data: part.file_data }
  } else if (typeof part.file_url === 'string') file = { type: 'file', url: part.file_url }
  else {
    state.warnings.push(`${path}: files given by file_id cannot cross the hub and were dropped`)
    return undefined
  }
  if (typeof part.filename === 'string') file.name = part.filename
  return file
}

function convertPart(part: Json, path: string, state: DecodeState): HubPart | undefined {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: text(part.text) }
    case 'refusal':
      return { type: 'text', text: text(part.refusal) }
    case 'input_image':
      return imagePart(part, path, state)
    case 'input_file':
      return filePart(part, path, state)
    case 'input_audio': {
      const audio = isRecord(part.input_audio) ? part.input_audio : {}
      return { type: 'audio', data: text(audio.data), format: text(audio.format) }
    }
  }
  state.warnings.push(`${path}: content part of type "${String(part.type)}" has no hub equivalent and was dropped`)
  return undefined
}

/** A content part read field by field: an item the schema matched only by its `type` may hold anything here. */
const partFields = (part: unknown): Json => (isRecord(part) ? part : {})

function convertContent(content: unknown, path: string, state: DecodeState): HubPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }]
  if (!Array.isArray(content)) return []
  return content.flatMap((part: unknown, index: number) => convertPart(partFields(part), `${path}[${index}]`, state) ?? [])
}

/** The assistant message to add to: the open one, or a new one when `fresh` says the open one is done. */
function assistant(state: DecodeState, fresh: (open: HubMessage) => boolean): HubMessage {
  if (!state.open || fresh(state.open)) {
    state.open = { role: 'assistant', content: [] }
    state.messages.push(state.open)
  }
  return state.open
}

function close(state: DecodeState, message: HubMessage) {
  state.open = undefined
  state.messages.push(message)
}

function convertMessageItem(item: Json, path: string, state: DecodeState) {
  const content = convertContent(item.content, `${path}.content`, state)
  if (item.role === 'assistant') {
    assistant(state, (open) => open.content.some((part) => part.type === 'text')).content.push(...content)
    return
  }
  if (item.role === 'system' || item.role === 'developer') {
    const texts = content.filter((part) => part.type === 'text')
    if (texts.length < content.length) state.warnings.push(`${path}.content: only text parts are kept in system messages`)
    return close(state, { role: 'system', content: texts })
  }
  close(state, { role: 'user', content })
}

function convertItem(item: Json, index: number, state: DecodeState) {
  const path = `input[${index}]`
  if (item.type === undefined || item.type === 'message') return convertMessageItem(item, path, state)
  switch (item.type) {
    case 'function_call': {
      const id = text(item.call_id)
      state.callNames.set(id, text(item.name))
      assistant(state, () => false).content.push({ type: 'tool-call', id, name: text(item.name), arguments: text(item.arguments) })
      return
    }
    case 'function_call_output': {
      const callId = text(item.call_id)
      const content = typeof item.output === 'string' ? item.output : convertContent(item.output, `${path}.output`, state)
      const result: HubPart = { type: 'tool-result', callId, content }
      const name = state.callNames.get(callId)
      if (name !== undefined) result.name = name
      return close(state, { role: 'tool', content: [result] })
    }
    case 'reasoning':
      return convertReasoningItem(item, path, state)
    case 'item_reference':
      throw new GatewayError(
        400,
        'invalid_request',
        `${path}: item_reference is not supported: the gateway keeps no conversation state; send the full item instead`,
        { param: path },
      )
  }
  state.warnings.push(`${path}: items of type "${String(item.type)}" have no hub equivalent and were dropped`)
}

function convertReasoningItem(item: Json, path: string, state: DecodeState) {
  const summary = Array.isArray(item.summary) ? item.summary.map((part: unknown) => text(partFields(part).text)).filter((part: string) => part !== '') : []
  const signature = reasoningItemSignature(item)
  if (typeof item.encrypted_content === 'string' && !signature)
    state.warnings.push(`${path}: encrypted reasoning content without its item id cannot be replayed and was dropped`)
  if (summary.length === 0 && !signature) return
  const part: HubPart = signature
    ? { type: 'reasoning', text: summary.join('\n\n'), signature, signatureOrigin: 'openai' }
    : { type: 'reasoning', text: summary.join('\n\n') }
  assistant(state, (open) => open.content.some((existing) => existing.type !== 'reasoning')).content.push(part)
}

/** Responses `input` (a string or items) as hub messages, with notes on what could not be carried. */
export function convertFromOpenAIResponsesInput(input: OpenAIResponsesRequest['input']): { messages: HubMessage[]; warnings: string[] } {
  const state: DecodeState = { messages: [], warnings: [], callNames: new Map() }
  if (typeof input === 'string') state.messages.push({ role: 'user', content: [{ type: 'text', text: input }] })
  else if (Array.isArray(input)) input.forEach((item, index) => convertItem(item, index, state))
  return { messages: state.messages, warnings: state.warnings }
}
