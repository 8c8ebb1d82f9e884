import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubChoice, HubPart, HubResult } from '@hanggent/plugin-sdk'
import { GatewayError } from '@hanggent/plugin-sdk'
import type { OpenAIChatCompletion, OpenAIChatResponseMessage, OpenAIChatToolCall } from './openai-chat-api.ts'
import { convertOpenAIUsage } from './convert-openai-usage.ts'
import { toOpenAIChatUsage } from './encode-openai-chat-usage.ts'
import { mapOpenAIFinishReason, toOpenAIFinishReason } from './map-openai-finish-reason.ts'
import { createdSeconds, responseId } from './response-identity.ts'

// see https://platform.openai.com/docs/api-reference/chat/object
// `reasoning_content` is DeepSeek's field for reasoning text (also `reasoning` on some vendors); it is
// not in OpenAI's own schema but DeepSeek-aware clients read it, so answers carry it when the hub has
// reasoning. A refusal is the model's answer text, so it becomes text.

function messageParts(message: Partial<OpenAIChatResponseMessage> | undefined, env: ConversionEnv): HubPart[] {
  if (!message) return []
  const parts: HubPart[] = []
  const reasoning = message.reasoning_content ?? message.reasoning
  if (typeof reasoning === 'string' && reasoning !== '') parts.push({ type: 'reasoning', text: reasoning })
  if (typeof message.content === 'string' && message.content !== '') parts.push({ type: 'text', text: message.content })
  if (typeof message.refusal === 'string' && message.refusal !== '') parts.push({ type: 'text', text: message.refusal })
  for (const call of message.tool_calls ?? []) parts.push({ type: 'tool-call', id: call.id, name: call.function.name, arguments: call.function.arguments })
  if (message.function_call)
    parts.push({ type: 'tool-call', id: env.newId('call_'), name: message.function_call.name, arguments: message.function_call.arguments })
  return parts
}

/** An OpenAI `chat.completion` body as a hub result; a body without choices is a bad upstream answer. */
export function decodeOpenAIChatResult(body: unknown, env: ConversionEnv): HubResult {
  const completion = body as Partial<OpenAIChatCompletion> | null
  if (typeof completion !== 'object' || completion === null || !Array.isArray(completion.choices)) {
    const message = typeof completion?.error?.message === 'string' ? completion.error.message : 'Upstream answered without choices'
    throw new GatewayError(502, 'bad_upstream_response', message)
  }
  const choices = completion.choices.map((choice, position): HubChoice => {
    const converted: HubChoice = {
      index: choice.index ?? position,
      content: messageParts(choice.message, env),
      finishReason: mapOpenAIFinishReason(choice.finish_reason),
    }
    if (choice.finish_reason) converted.rawFinishReason = choice.finish_reason
    return converted
  })
  const result: HubResult = {
    id: completion.id ?? env.newId('chatcmpl-'),
    model: completion.model || env.model || '',
    created: createdSeconds(completion.created, env),
    choices,
  }
  if (completion.usage) result.usage = convertOpenAIUsage(completion.usage)
  return result
}

/** The assistant message OpenAI would have sent for these hub parts. */
function encodeMessage(parts: HubPart[]): Record<string, unknown> {
  const text = parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('')
  const reasoning = parts.flatMap((part) => (part.type === 'reasoning' ? [part.text] : [])).join('')
  const calls = parts.flatMap((part): OpenAIChatToolCall[] =>
    part.type === 'tool-call' ? [{ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } }] : [],
  )
  const message: Record<string, unknown> = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, refusal: null }
  if (calls.length > 0) message.tool_calls = calls
  if (parts.some((part) => part.type === 'reasoning')) message.reasoning_content = reasoning
  return message
}

/** A hub result as the `chat.completion` object OpenAI returns. */
export function encodeOpenAIChatResult(result: HubResult, env: ConversionEnv): Record<string, unknown> {
  const completion: Record<string, unknown> = {
    id: responseId(result.id, 'chatcmpl-', env),
    object: 'chat.completion',
    created: createdSeconds(result.created, env),
    model: result.model,
    choices: result.choices.map((choice) => ({
      index: choice.index,
      message: encodeMessage(choice.content),
      logprobs: null,
      finish_reason: toOpenAIFinishReason(choice.finishReason),
    })),
  }
  if (result.usage) completion.usage = toOpenAIChatUsage(result.usage)
  return completion
}
