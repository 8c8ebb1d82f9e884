// What a decoded answer shows a user, in one shape whether it came whole (HubResult), as hub events or
// through an official SDK client: choice 0's text, reasoning and tool calls, its finish reason, usage.
// Fixtures state expectations in this shape, so one expectation covers a result and its stream.
import type { FinishReason, HubEvent, HubResult, Usage } from '../hub.ts'

/** A tool call as the digest holds it: arguments parsed when they are JSON, else the raw text. */
export interface DigestToolCall {
  /** The call's id, as the provider (or the decoder's id source) gave it. */
  id: string
  /** The function called. */
  name: string
  /** The arguments, parsed when they are JSON. */
  arguments: unknown
}

/** The user-visible content of an answer. */
export interface AnswerDigest {
  /** The answer's id. */
  id?: string
  /** The model the answer names. */
  model?: string
  /** Choice 0's text. */
  text: string
  /** Choice 0's reasoning text. */
  reasoning: string
  /** Choice 0's tool calls, in order. */
  toolCalls: DigestToolCall[]
  /** Choice 0's finish reason. */
  finishReason?: FinishReason
  /** Usage counts (no raw vendor object), quantities included. */
  usage?: Record<string, number>
  /** An error the stream carried, when it did. */
  error?: { status: number; code: string; message: string }
}

/** Tool arguments as JSON when they parse, else the text itself (so a broken JSON shows as it was). */
export function parsedArguments(text: string): unknown {
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** Usage counts without the vendor's raw object. */
function usageCounts(usage: Usage): Record<string, number> {
  const { raw: _raw, quantities, ...counts } = usage
  return { ...counts, ...quantities }
}

/** The digest of a complete hub result. */
export function digestResult(result: HubResult): AnswerDigest {
  const choice = result.choices.find((entry) => entry.index === 0) ?? result.choices[0]
  const digest: AnswerDigest = { id: result.id, model: result.model, text: '', reasoning: '', toolCalls: [] }
  for (const part of choice?.content ?? []) {
    if (part.type === 'text') digest.text += part.text
    else if (part.type === 'reasoning') digest.reasoning += part.text
    else if (part.type === 'tool-call') digest.toolCalls.push({ id: part.id, name: part.name, arguments: parsedArguments(part.arguments) })
  }
  if (choice) digest.finishReason = choice.finishReason
  if (result.usage) digest.usage = usageCounts(result.usage)
  return digest
}

/** The digest of a stream of hub events (choice 0; the last usage event counts). */
export function digestEvents(events: readonly HubEvent[]): AnswerDigest {
  const digest: AnswerDigest = { text: '', reasoning: '', toolCalls: [] }
  const calls = new Map<number, { id: string; name: string; text: string }>()
  for (const event of events) {
    if (event.type === 'message-start') Object.assign(digest, { id: event.id, model: event.model })
    else if (event.type === 'usage') digest.usage = usageCounts(event.usage)
    else if (event.type === 'error') digest.error = { status: event.status, code: event.code, message: event.message }
    else if (event.index !== 0) continue
    else if (event.type === 'text-delta') digest.text += event.text
    else if (event.type === 'reasoning-delta') digest.reasoning += event.text
    else if (event.type === 'tool-call-start') calls.set(event.toolIndex, { id: event.id, name: event.name, text: '' })
    else if (event.type === 'tool-call-delta') {
      const call = calls.get(event.toolIndex)
      if (call) call.text += event.argumentsDelta
    } else if (event.type === 'finish') digest.finishReason = event.reason
  }
  digest.toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => ({ id: call.id, name: call.name, arguments: parsedArguments(call.text) }))
  return digest
}
