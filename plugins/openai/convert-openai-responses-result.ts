import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubPart, HubResult } from '@hanggent/plugin-sdk'
import { GatewayError } from '@hanggent/plugin-sdk'
import type { OpenAIResponsesOutputItem, OpenAIResponsesResponse } from '../../schemas/openai-responses.ts'
import { convertOpenAIResponsesUsage } from './convert-openai-responses-usage.ts'
import { mapOpenAIResponsesStatus, toOpenAIResponsesStatus } from './map-openai-responses-status.ts'
import { buildOpenAIResponse, functionCallItem, messageItem, reasoningItem } from './openai-responses-object.ts'
import { createdSeconds, responseId } from './response-identity.ts'
import { openAIReasoningSignature } from './openai-reasoning-signature.ts'

// see https://platform.openai.com/docs/api-reference/responses/object
// Output items map to hub parts in order: reasoning summaries (joined by blank lines) → reasoning,
// message text and refusals → text, function_call → tool-call. Built-in tool items (web search, …)
// have no hub form and are skipped. The Responses API has one answer, so only choice 0 is encoded.

type Json = Record<string, unknown>

const texts = (parts: unknown): string[] =>
  Array.isArray(parts) ? (parts as Json[]).map((part) => (typeof part.text === 'string' ? part.text : '')).filter((text) => text !== '') : []

/** The hub signature of a reasoning item that carries encrypted content (asked for with `include`), else undefined. */
export function reasoningItemSignature(item: Json): string | undefined {
  return typeof item.id === 'string' && typeof item.encrypted_content === 'string' && item.encrypted_content !== ''
    ? openAIReasoningSignature(item.id, item.encrypted_content)
    : undefined
}

function itemParts(item: OpenAIResponsesOutputItem): HubPart[] {
  const raw = item as Json
  if (item.type === 'reasoning') {
    const summary = texts(raw.summary)
    const reasoning = summary.length > 0 ? summary : texts(raw.content)
    const signed = reasoningItemSignature(raw)
    if (signed) return [{ type: 'reasoning', text: reasoning.join('\n\n'), signature: signed, signatureOrigin: 'openai' }]
    return reasoning.length > 0 ? [{ type: 'reasoning', text: reasoning.join('\n\n') }] : []
  }
  if (item.type === 'message') {
    return (Array.isArray(raw.content) ? (raw.content as Json[]) : []).flatMap((part): HubPart[] => {
      if (part.type === 'output_text' && typeof part.text === 'string') return [{ type: 'text', text: part.text }]
      if (part.type === 'refusal' && typeof part.refusal === 'string') return [{ type: 'text', text: part.refusal }]
      return []
    })
  }
  if (item.type === 'function_call')
    return [{ type: 'tool-call', id: String(raw.call_id ?? ''), name: String(raw.name ?? ''), arguments: String(raw.arguments ?? '') }]
  return []
}

/** A Responses `response` body as a hub result; a body without output is a bad upstream answer. */
export function decodeOpenAIResponsesResult(body: unknown, env: ConversionEnv): HubResult {
  const response = body as Partial<OpenAIResponsesResponse> | null
  if (typeof response !== 'object' || response === null || !Array.isArray(response.output)) {
    throw new GatewayError(502, 'bad_upstream_response', response?.error?.message ?? 'Upstream answered without output')
  }
  const content = response.output.flatMap(itemParts)
  const finish = mapOpenAIResponsesStatus(
    response.status,
    response.incomplete_details?.reason,
    content.some((part) => part.type === 'tool-call'),
  )
  const result: HubResult = {
    id: response.id ?? env.newId('resp_'),
    model: response.model || env.model || '',
    created: createdSeconds(response.created_at, env),
    choices: [{ index: 0, content, finishReason: finish.reason, ...(finish.raw ? { rawFinishReason: finish.raw } : {}) }],
  }
  if (response.usage) result.usage = convertOpenAIResponsesUsage(response.usage)
  return result
}

type Run = { kind: 'reasoning' | 'text'; texts: string[] } | { kind: 'tool-call'; call: Extract<HubPart, { type: 'tool-call' }> }

/** Groups parts into what becomes one output item each: consecutive reasoning or text parts merge. */
function runs(parts: HubPart[]): Run[] {
  const grouped: Run[] = []
  for (const part of parts) {
    const last = grouped.at(-1)
    if (part.type === 'tool-call') grouped.push({ kind: 'tool-call', call: part })
    else if (part.type !== 'reasoning' && part.type !== 'text') continue
    else if (last?.kind === part.type) last.texts.push(part.text)
    else grouped.push({ kind: part.type, texts: [part.text] })
  }
  return grouped
}

/** Output items for hub parts, in order. */
function outputItems(parts: HubPart[], messageStatus: string, env: ConversionEnv): Json[] {
  return runs(parts).map((run) => {
    if (run.kind === 'tool-call') return functionCallItem(env.newId('fc_'), 'completed', run.call.id, run.call.name, run.call.arguments)
    if (run.kind === 'reasoning') return reasoningItem(env.newId('rs_'), run.texts.join('\n\n'))
    return messageItem(env.newId('msg_'), messageStatus, run.texts.join(''))
  })
}

/** A hub result as the `response` object the Responses API returns. */
export function encodeOpenAIResponsesResult(result: HubResult, env: ConversionEnv): Json {
  const choice = result.choices[0]
  const { status, incomplete_details } = toOpenAIResponsesStatus(choice?.finishReason ?? 'stop')
  return buildOpenAIResponse({
    id: responseId(result.id, 'resp_', env),
    createdAt: createdSeconds(result.created, env),
    model: result.model,
    status,
    incompleteDetails: incomplete_details,
    error: status === 'failed' ? { code: 'server_error', message: 'The upstream model stopped with an error' } : null,
    output: outputItems(choice?.content ?? [], status === 'incomplete' ? 'incomplete' : 'completed', env),
    usage: result.usage,
  })
}
