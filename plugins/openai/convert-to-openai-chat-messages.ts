import type { HubMessage, HubPart } from '@hanggent/plugin-sdk'
import type { OpenAIChatMessage, OpenAIChatPart, OpenAIChatToolCall } from './openai-chat-api.ts'
import { toDataUrl } from './data-url.ts'

// see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
// One text part becomes a plain string, as clients usually send it. Tool results become one `tool`
// message each, wherever the hub put them. OpenAI rejects reasoning in assistant history, so it is
// dropped (with a warning when it held text).

type TextPart = Extract<HubPart, { type: 'text' }>

const isText = (part: HubPart): part is TextPart => part.type === 'text'

function textContent(parts: TextPart[]): string | Array<{ type: 'text'; text: string }> {
  const [only, ...rest] = parts
  return only !== undefined && rest.length === 0 ? only.text : parts.map((part) => ({ type: 'text', text: part.text }))
}

function dropped(part: HubPart, role: string, warnings: string[]) {
  warnings.push(`a ${part.type} part in a ${role} message cannot be sent to OpenAI Chat and was dropped`)
}

function userPart(part: HubPart, warnings: string[]): OpenAIChatPart | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text }
    case 'image': {
      const url = part.data !== undefined ? toDataUrl(part.mediaType, part.data) : part.url
      if (url === undefined) break
      return { type: 'image_url', image_url: part.detail ? { url, detail: part.detail } : { url } }
    }
    case 'audio':
      return { type: 'input_audio', input_audio: { data: part.data, format: part.format } }
    case 'file':
      if (part.data === undefined) {
        warnings.push('a file given by URL cannot be sent to OpenAI Chat (it takes inline file_data only) and was dropped')
        return undefined
      }
      return {
        type: 'file',
        file: part.name ? { file_data: toDataUrl(part.mediaType, part.data), filename: part.name } : { file_data: toDataUrl(part.mediaType, part.data) },
      }
  }
  dropped(part, 'user', warnings)
  return undefined
}

function toolMessages(parts: HubPart[], warnings: string[]): OpenAIChatMessage[] {
  const messages: OpenAIChatMessage[] = []
  for (const part of parts) {
    if (part.type !== 'tool-result') {
      dropped(part, 'tool', warnings)
      continue
    }
    if (part.isError) warnings.push(`OpenAI Chat has no error flag for tool results; the result of call ${part.callId} is sent as plain content`)
    let content: OpenAIChatMessage['content']
    if (typeof part.content === 'string') content = part.content
    else {
      const texts = part.content.filter(isText)
      if (texts.length < part.content.length)
        warnings.push(`OpenAI Chat tool results hold text only; other parts of the result of call ${part.callId} were dropped`)
      content = texts.map((text) => ({ type: 'text', text: text.text }))
    }
    messages.push({ role: 'tool', tool_call_id: part.callId, content })
  }
  return messages
}

function userMessages(parts: HubPart[], warnings: string[]): OpenAIChatMessage[] {
  const results = parts.filter((part) => part.type === 'tool-result')
  const rest = parts.filter((part) => part.type !== 'tool-result')
  const messages = toolMessages(results, warnings)
  if (rest.length === 0) return messages
  if (rest.length === 1 && rest[0]?.type === 'text') return [...messages, { role: 'user', content: rest[0].text }]
  const content = rest.map((part) => userPart(part, warnings)).filter((part) => part !== undefined)
  return [...messages, { role: 'user', content }]
}

function assistantMessage(parts: HubPart[], warnings: string[]): OpenAIChatMessage {
  const texts: TextPart[] = []
  const calls: OpenAIChatToolCall[] = []
  for (const part of parts) {
    if (part.type === 'text') texts.push(part)
    else if (part.type === 'tool-call') calls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } })
    else if (part.type === 'reasoning') {
      if (part.text !== '') warnings.push('OpenAI Chat does not accept reasoning in assistant history; it was dropped')
    } else dropped(part, 'assistant', warnings)
  }
  const message: OpenAIChatMessage = { role: 'assistant', content: texts.length > 0 ? textContent(texts) : calls.length > 0 ? null : '' }
  if (calls.length > 0) message.tool_calls = calls
  return message
}

function systemMessage(parts: HubPart[], warnings: string[]): OpenAIChatMessage[] {
  const texts = parts.filter(isText)
  for (const part of parts) if (part.type !== 'text') dropped(part, 'system', warnings)
  return texts.length > 0 ? [{ role: 'system', content: textContent(texts) }] : []
}

/** Hub messages as OpenAI Chat messages, with notes on what could not be sent. */
export function convertToOpenAIChatMessages(messages: HubMessage[]): { messages: OpenAIChatMessage[]; warnings: string[] } {
  const warnings: string[] = []
  const converted = messages.flatMap((message): OpenAIChatMessage[] => {
    switch (message.role) {
      case 'system':
        return systemMessage(message.content, warnings)
      case 'user':
        return userMessages(message.content, warnings)
      case 'assistant':
        return [assistantMessage(message.content, warnings)]
      case 'tool':
        return toolMessages(message.content, warnings)
    }
  })
  return { messages: converted, warnings }
}
