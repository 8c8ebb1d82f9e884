import type { HubMessage, HubPart } from '@hanggent/plugin-sdk'
import type { GeminiContent, GeminiPart } from '../../schemas/gemini-generate.ts'
import { decodeGeminiPart } from './gemini-parts.ts'

// see https://ai.google.dev/gemini-api/docs/function-calling (function calls and responses in history)
// Function calls in Gemini history usually carry no id, and decodeRequest has no id source, so calls
// get deterministic ids (`call_0`, `call_1`, … in request order) and each functionResponse is paired
// with the earliest unanswered call of the same name — or with its own id when the client sent one.
// Parts the hub cannot hold become a bracketed text placeholder plus a warning, never a silent drop.

interface DecodeState {
  warnings: string[]
  /** Calls made so far, for generated ids. */
  callCount: number
  /** Unanswered call ids by function name, oldest first. */
  pendingCalls: Map<string, string[]>
}

/** The fields of a part, for warnings and placeholders. */
function partFields(part: GeminiPart): string {
  return (
    Object.keys(part)
      .filter((key) => key !== 'thoughtSignature')
      .join(', ') || 'empty'
  )
}

function placeholder(part: GeminiPart, path: string, state: DecodeState): HubPart {
  state.warnings.push(`${path}: a part with ${partFields(part)} has no hub equivalent; a text placeholder was sent instead`)
  return { type: 'text', text: `[unsupported Gemini part: ${partFields(part)}]` }
}

/** An id source for a call to `name` without its own id: the next `call_<n>`, remembered as unanswered. */
function newCallId(state: DecodeState, name: string): () => string {
  return () => {
    const id = `call_${state.callCount}`
    state.callCount += 1
    state.pendingCalls.set(name, [...(state.pendingCalls.get(name) ?? []), id])
    return id
  }
}

/** A model turn: text, thoughts, signatures, function calls and media. */
function modelMessage(content: GeminiContent, path: string, state: DecodeState): HubMessage {
  const parts: HubPart[] = []
  content.parts.forEach((part, index) => {
    const partPath = `${path}.parts[${index}]`
    if (part.functionResponse) return void parts.push(placeholder(part, partPath, state))
    const decoded = decodeGeminiPart(part, newCallId(state, part.functionCall?.name ?? ''))
    if (!decoded) return void parts.push(placeholder(part, partPath, state))
    // A call with its own id is still pending under that id.
    for (const hub of decoded)
      if (hub.type === 'tool-call' && part.functionCall?.id) state.pendingCalls.set(hub.name, [...(state.pendingCalls.get(hub.name) ?? []), hub.id])
    if (part.executableCode || part.codeExecutionResult) state.warnings.push(`${partPath}: code-execution parts are carried as text`)
    parts.push(...decoded)
  })
  return { role: 'assistant', content: parts }
}

/** The call a function response answers: its own id, else the oldest unanswered call of that name. */
function answeredCallId(name: string, id: string | undefined, path: string, state: DecodeState): string {
  const pending = state.pendingCalls.get(name) ?? []
  if (id) {
    state.pendingCalls.set(
      name,
      pending.filter((callId) => callId !== id),
    )
    return id
  }
  const callId = pending.shift()
  if (callId !== undefined) return callId
  state.warnings.push(`${path}: a functionResponse for "${name}" answers no earlier functionCall; it was given a new call id`)
  const fresh = `call_${state.callCount}`
  state.callCount += 1
  return fresh
}

/** The hub tool result for a function response; a lone `result` (or `error`) string is unwrapped. */
function toolResult(response: NonNullable<GeminiPart['functionResponse']>, callId: string): HubPart {
  const payload = response.response
  const keys = Object.keys(payload)
  const [firstKey] = keys
  const only = keys.length === 1 && firstKey !== undefined ? payload[firstKey] : undefined
  const part: HubPart = {
    type: 'tool-result',
    callId,
    name: response.name,
    content: keys[0] === 'result' && typeof only === 'string' ? only : JSON.stringify(payload),
  }
  if (keys[0] === 'error' && typeof only === 'string') {
    part.content = only
    part.isError = true
  }
  return part
}

/** A user turn: function responses become a `tool` message, everything else a `user` message after it. */
function userMessages(content: GeminiContent, path: string, state: DecodeState): HubMessage[] {
  const results: HubPart[] = []
  const parts: HubPart[] = []
  content.parts.forEach((part, index) => {
    const partPath = `${path}.parts[${index}]`
    if (part.functionResponse) {
      results.push(toolResult(part.functionResponse, answeredCallId(part.functionResponse.name, part.functionResponse.id, partPath, state)))
      return
    }
    if (part.thought === true && typeof part.text === 'string') {
      state.warnings.push(`${partPath}: a thought part in a user turn is carried as plain text`)
      return void parts.push({ type: 'text', text: part.text })
    }
    const decoded = part.functionCall ? undefined : decodeGeminiPart(part, () => '')
    if (!decoded) return void parts.push(placeholder(part, partPath, state))
    if (part.executableCode || part.codeExecutionResult) state.warnings.push(`${partPath}: code-execution parts are carried as text`)
    parts.push(...decoded.filter((hub) => hub.type !== 'reasoning'))
  })
  const messages: HubMessage[] = []
  if (results.length > 0) messages.push({ role: 'tool', content: results })
  if (parts.length > 0 || results.length === 0) messages.push({ role: 'user', content: parts })
  return messages
}

/** The system instruction as one hub system message of text parts. */
function systemMessage(instruction: { parts: GeminiPart[] }, state: DecodeState): HubMessage {
  const content = instruction.parts.map((part, index): HubPart => {
    if (typeof part.text === 'string' && !part.thought) return { type: 'text', text: part.text }
    return placeholder(part, `systemInstruction.parts[${index}]`, state)
  })
  return { role: 'system', content }
}

/** Gemini contents (and system instruction) in hub form, with notes on what was approximated. */
export function convertFromGeminiContents(
  contents: GeminiContent[],
  systemInstruction?: { parts: GeminiPart[] },
): { messages: HubMessage[]; warnings: string[] } {
  const state: DecodeState = { warnings: [], callCount: 0, pendingCalls: new Map() }
  const messages: HubMessage[] = systemInstruction && systemInstruction.parts.length > 0 ? [systemMessage(systemInstruction, state)] : []
  contents.forEach((content, index) => {
    const path = `contents[${index}]`
    if (content.role === 'model') messages.push(modelMessage(content, path, state))
    else messages.push(...userMessages(content, path, state))
  })
  return { messages, warnings: state.warnings }
}
