import type { HubMessage, HubPart } from '@hanggent/plugin-sdk'
import type { GeminiContent, GeminiPart } from '../../schemas/gemini-generate.ts'
import { encodeMediaPart } from './gemini-media.ts'
import { encodeModelParts } from './gemini-parts.ts'
import { isRecord, parseJsonObject } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/api/caching#Content and https://ai.google.dev/gemini-api/docs/function-calling
// see https://ai.google.dev/gemini-api/docs/thought-signatures (Gemini 3 rejects a function-call turn without a
// signature; history from another model may carry the documented `skip_thought_signature_validator` instead)
// System messages become `systemInstruction`. Tool results become `functionResponse` parts of a user
// turn; results that follow each other share one turn, since Gemini wants every response to a model
// turn's parallel calls in one content. Gemini needs the function name of each response: taken from
// the hub part, else from the assistant call with that id. A `response` must be a JSON object, so a
// result that is not one is wrapped as `{result: …}` (`{error: …}` for failed calls, Google's key).
// Call ids are not sent: Gemini pairs responses with calls by name and order.

/** The signature Google documents for function calls Gemini did not produce itself. */
export const FOREIGN_CALL_SIGNATURE = 'skip_thought_signature_validator'

interface EncodeState {
  warnings: string[]
  /** Function name of every tool call seen so far, by call id. */
  callNames: Map<string, string>
  /** True when the model rejects function-call turns without a thought signature (Gemini 3). */
  requiresSignatures: boolean
}

type ToolResultPart = Extract<HubPart, { type: 'tool-result' }>

const warn = (state: EncodeState) => (message: string) => void state.warnings.push(message)

/** The text of a tool result; parts other than text become a placeholder, with a warning. */
function resultText(part: ToolResultPart, state: EncodeState): string {
  if (typeof part.content === 'string') return part.content
  return part.content
    .map((item) => {
      if (item.type === 'text') return item.text
      state.warnings.push(`a ${item.type} part in the result of call ${part.callId} cannot be sent to Gemini; a text placeholder was sent instead`)
      return `[${item.type} omitted]`
    })
    .join('')
}

/** A hub tool result as a `functionResponse` part. */
function functionResponse(part: ToolResultPart, state: EncodeState): GeminiPart {
  let name = part.name ?? state.callNames.get(part.callId)
  if (name === undefined) {
    state.warnings.push(`the result of call ${part.callId} names no function and answers no earlier call; its call id was sent as the function name`)
    name = part.callId
  }
  const text = resultText(part, state)
  const object = parseJsonObject(text)
  const response = part.isError ? { error: object ?? text } : (object ?? { result: text })
  return { functionResponse: { name, response } }
}

/** One part of a user or tool turn; parts Gemini cannot take there become a placeholder, with a warning. */
function userPart(part: HubPart, state: EncodeState): GeminiPart | undefined {
  switch (part.type) {
    case 'text':
      return part.text === '' ? undefined : { text: part.text }
    case 'image':
    case 'audio':
    case 'file':
      return encodeMediaPart(part, warn(state))
    case 'tool-result':
      return functionResponse(part, state)
    case 'reasoning':
      if (part.text !== '') state.warnings.push('reasoning in a user turn cannot be sent to Gemini and was dropped')
      return undefined
    case 'tool-call':
      state.warnings.push(`a tool call (${part.name}) in a user turn cannot be sent to Gemini; a text placeholder was sent instead`)
      return { text: `[tool call ${part.name}(${part.arguments})]` }
  }
}

/** A model turn; on Gemini 3 a function-call turn without any signature gets the documented placeholder one. */
function modelContent(parts: HubPart[], state: EncodeState): GeminiContent {
  for (const part of parts) if (part.type === 'tool-call') state.callNames.set(part.id, part.name)
  const encoded = encodeModelParts(parts, { callIds: false, warn: warn(state) })
  const calls = encoded.filter((part) => part.functionCall)
  const [firstCall] = calls
  if (state.requiresSignatures && firstCall !== undefined && !calls.some((part) => part.thoughtSignature)) {
    encoded[encoded.indexOf(firstCall)] = { ...firstCall, thoughtSignature: FOREIGN_CALL_SIGNATURE }
  }
  return { role: 'model', parts: encoded }
}

const onlyResponses = (content: GeminiContent | undefined) =>
  content?.role === 'user' && content.parts.length > 0 && content.parts.every((part) => part.functionResponse)

/** Adds a turn; consecutive turns of function responses merge into one. Empty turns are left out (Gemini rejects them). */
function append(contents: GeminiContent[], content: GeminiContent, index: number, state: EncodeState) {
  if (content.parts.length === 0) {
    state.warnings.push(`messages[${index}] has nothing Gemini can take and was left out`)
    return
  }
  const previous = contents.at(-1)
  if (onlyResponses(previous) && onlyResponses(content)) previous?.parts.push(...content.parts)
  else contents.push(content)
}

/** The system messages' text as `systemInstruction` parts. */
function systemParts(message: HubMessage, index: number, afterConversation: boolean, state: EncodeState): GeminiPart[] {
  if (afterConversation)
    state.warnings.push(
      `messages[${index}] is a system message inside the conversation; Gemini takes system text only in systemInstruction, where it was moved`,
    )
  return message.content.flatMap((part): GeminiPart[] => {
    if (part.type === 'text') return part.text === '' ? [] : [{ text: part.text }]
    state.warnings.push(`a ${part.type} part in a system message cannot be sent to Gemini and was dropped`)
    return []
  })
}

/** Hub messages as Gemini contents plus a system instruction, with notes on what could not be sent. */
export function convertToGeminiContents(
  messages: HubMessage[],
  model: string,
): { contents: GeminiContent[]; systemInstruction?: { parts: GeminiPart[] }; warnings: string[] } {
  const state: EncodeState = { warnings: [], callNames: new Map(), requiresSignatures: /^(models\/)?gemini-3/.test(model) }
  const contents: GeminiContent[] = []
  const system: GeminiPart[] = []
  messages.forEach((message, index) => {
    if (message.role === 'system') return void system.push(...systemParts(message, index, contents.length > 0, state))
    if (message.role === 'assistant') return append(contents, modelContent(message.content, state), index, state)
    const parts = message.content.map((part) => userPart(part, state)).filter((part) => part !== undefined)
    append(contents, { role: 'user', parts }, index, state)
  })
  return system.length > 0 ? { contents, systemInstruction: { parts: system }, warnings: state.warnings } : { contents, warnings: state.warnings }
}
