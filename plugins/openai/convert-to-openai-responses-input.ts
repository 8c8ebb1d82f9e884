import type { HubMessage, HubPart } from '@hanggent/plugin-sdk'
import { toDataUrl } from './data-url.ts'
import { parseOpenAIReasoningSignature } from './openai-reasoning-signature.ts'

// see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
// System messages before the first turn become `instructions`; later ones stay as system items.
// An assistant turn becomes a message item (its text joined into one string: assistant history
// takes `output_text`, not `input_text`) and one function_call item per tool call, in hub order.
// Reasoning goes back only as the reasoning item OpenAI made (its id and encrypted content, kept in the
// hub signature); any other reasoning is dropped (warned when it held text).

type Json = Record<string, unknown>

const isText = (part: HubPart): part is Extract<HubPart, { type: 'text' }> => part.type === 'text'

function dropped(part: HubPart, role: string, warnings: string[]) {
  warnings.push(`a ${part.type} part in a ${role} message cannot be sent to OpenAI Responses and was dropped`)
}

function inputPart(part: HubPart, role: string, warnings: string[]): Json | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text }
    case 'image': {
      const url = part.data !== undefined ? toDataUrl(part.mediaType, part.data) : part.url
      if (url === undefined) break
      return part.detail ? { type: 'input_image', image_url: url, detail: part.detail } : { type: 'input_image', image_url: url }
    }
    case 'file': {
      const file: Json =
        part.data !== undefined ? { type: 'input_file', file_data: toDataUrl(part.mediaType, part.data) } : { type: 'input_file', file_url: part.url }
      if (part.name !== undefined) file.filename = part.name
      return file
    }
    case 'audio':
      return { type: 'input_audio', input_audio: { data: part.data, format: part.format } }
  }
  dropped(part, role, warnings)
  return undefined
}

function inputParts(parts: HubPart[], role: string, warnings: string[]): Json[] {
  return parts.flatMap((part): Json[] => {
    const converted = inputPart(part, role, warnings)
    return converted ? [converted] : []
  })
}

/** One text part is sent as a plain string, as clients usually write it. */
function content(parts: HubPart[], role: string, warnings: string[]): string | Json[] {
  return parts.length === 1 && parts[0]?.type === 'text' ? parts[0].text : inputParts(parts, role, warnings)
}

function toolOutputs(parts: HubPart[], warnings: string[]): Json[] {
  return parts.flatMap((part): Json[] => {
    if (part.type !== 'tool-result') {
      dropped(part, 'tool', warnings)
      return []
    }
    if (part.isError) warnings.push(`OpenAI Responses has no error flag for function outputs; the output of call ${part.callId} is sent as plain content`)
    const output = typeof part.content === 'string' ? part.content : inputParts(part.content, 'tool', warnings)
    return [{ type: 'function_call_output', call_id: part.callId, output }]
  })
}

function userItems(parts: HubPart[], warnings: string[]): Json[] {
  const rest = parts.filter((part) => part.type !== 'tool-result')
  const items = toolOutputs(
    parts.filter((part) => part.type === 'tool-result'),
    warnings,
  )
  return rest.length > 0 ? [...items, { role: 'user', content: content(rest, 'user', warnings) }] : items
}

/** Reasoning OpenAI signed, replayed as the reasoning item it came from (id, summary, encrypted content); undefined for any other reasoning. */
function reasoningItem(part: Extract<HubPart, { type: 'reasoning' }>): Json | undefined {
  const original = part.signatureOrigin === 'openai' && part.signature ? parseOpenAIReasoningSignature(part.signature) : undefined
  if (!original) return undefined
  const summary = part.text === '' ? [] : [{ type: 'summary_text', text: part.text }]
  return { type: 'reasoning', id: original.id, summary, encrypted_content: original.encryptedContent }
}

function assistantItems(parts: HubPart[], warnings: string[]): Json[] {
  const items: Json[] = []
  let texts: string[] = []
  const flush = () => {
    if (texts.length > 0) items.push({ role: 'assistant', content: texts.join('') })
    texts = []
  }
  for (const part of parts) {
    if (part.type === 'text') texts.push(part.text)
    else if (part.type === 'tool-call') {
      flush()
      items.push({ type: 'function_call', call_id: part.id, name: part.name, arguments: part.arguments })
    } else if (part.type === 'reasoning') {
      const item = reasoningItem(part)
      if (item) {
        flush()
        items.push(item)
      } else if (part.text !== '') warnings.push('reasoning in assistant history cannot be sent to OpenAI Responses without its original item; it was dropped')
    } else dropped(part, 'assistant', warnings)
  }
  flush()
  return items
}

function systemText(parts: HubPart[], warnings: string[]): string {
  for (const part of parts) if (part.type !== 'text') dropped(part, 'system', warnings)
  return parts
    .filter(isText)
    .map((part) => part.text)
    .join('\n\n')
}

/** Hub messages as Responses `instructions` and `input` items, with notes on what could not be sent. */
export function convertToOpenAIResponsesInput(messages: HubMessage[]): { instructions?: string; input: Json[]; warnings: string[] } {
  const warnings: string[] = []
  const leading = messages.findIndex((message) => message.role !== 'system')
  const systemCount = leading === -1 ? messages.length : leading
  const instructions = messages
    .slice(0, systemCount)
    .map((message) => systemText(message.content, warnings))
    .filter((text) => text !== '')
  const input = messages.slice(systemCount).flatMap((message): Json[] => {
    switch (message.role) {
      case 'system':
        return [{ role: 'system', content: systemText(message.content, warnings) }]
      case 'user':
        return userItems(message.content, warnings)
      case 'assistant':
        return assistantItems(message.content, warnings)
      case 'tool':
        return toolOutputs(message.content, warnings)
    }
  })
  return { ...(instructions.length > 0 ? { instructions: instructions.join('\n\n') } : {}), input, warnings }
}
