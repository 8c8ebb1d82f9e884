import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubToolChoice } from '@hanggent/plugin-sdk'
import { withoutForeignSignedReasoning } from '@hanggent/plugin-sdk'
import { convertToOpenAIResponsesInput } from './convert-to-openai-responses-input.ts'
import { OPENAI_RESPONSES_DIALECT } from './convert-from-openai-responses-request.ts'
import { dialectExtra } from './dialect-extra.ts'
import { encodeReasoningEffort } from './map-openai-reasoning-effort.ts'
import { omitUndefined } from '@hanggent/plugin-sdk'
import { isRecord } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/api-reference/responses/create
// Function tools are sent with an explicit `strict`: the Responses API would otherwise enforce strict
// schemas, which tools written for other dialects rarely satisfy. The API has no stop sequences,
// seed, penalties or multiple candidates; those are dropped with a warning. Reasoning OpenAI signed
// (encrypted reasoning items) is replayed whole; reasoning another provider signed is dropped.

type Json = Record<string, unknown>

function tools(request: HubChatRequest, extra: Json): Json[] | undefined {
  const all: Json[] = (request.tools ?? []).map((tool) =>
    omitUndefined({ type: 'function', name: tool.name, description: tool.description, parameters: tool.parameters, strict: tool.strict ?? false }),
  )
  if (Array.isArray(extra.tools)) all.push(...(extra.tools as Json[]))
  return all.length > 0 ? all : undefined
}

function toolChoice(choice: HubToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name }
}

function reasoning(request: HubChatRequest, extra: Json, warnings: string[]): Json | undefined {
  const encoded = encodeReasoningEffort(request.reasoning)
  if (encoded.warning) warnings.push(encoded.warning)
  const merged: Json = { ...(isRecord(extra.reasoning) ? extra.reasoning : {}) }
  if (encoded.effort) merged.effort = encoded.effort
  if (request.reasoning?.includeThoughts) merged.summary = 'auto'
  return Object.keys(merged).length > 0 ? merged : undefined
}

function text(request: HubChatRequest, extra: Json): Json | undefined {
  const merged: Json = { ...(isRecord(extra.text) ? extra.text : {}) }
  const format = request.responseFormat
  if (format?.type === 'json_schema') merged.format = omitUndefined({ type: 'json_schema', name: format.name, schema: format.schema, strict: format.strict })
  else if (format) merged.format = { type: format.type }
  return Object.keys(merged).length > 0 ? merged : undefined
}

function unsupported(request: HubChatRequest): string[] {
  const names: Array<[unknown, string]> = [
    [request.stop, 'stop'],
    [request.seed, 'seed'],
    [request.presencePenalty, 'presence_penalty'],
    [request.frequencyPenalty, 'frequency_penalty'],
    [request.topK, 'top_k'],
  ]
  const warnings = names.filter(([value]) => value !== undefined).map(([, name]) => `${name} is not supported by OpenAI Responses and was dropped`)
  if (request.candidateCount !== undefined && request.candidateCount > 1) warnings.push('OpenAI Responses returns one answer; n / candidateCount was dropped')
  return warnings
}

/**
 * `include` asking for the reasoning's encrypted content: the gateway keeps no state, so the reasoning
 * reaches the next turn only when the client's history carries it back (as a signature).
 */
function withEncryptedReasoning(include: unknown): string[] {
  const asked = Array.isArray(include) ? include.filter((entry): entry is string => typeof entry === 'string') : []
  return asked.includes(ENCRYPTED_REASONING) ? asked : [...asked, ENCRYPTED_REASONING]
}

const ENCRYPTED_REASONING = 'reasoning.encrypted_content'

/** A hub request as an OpenAI Responses body, with notes on what could not be carried over. */
export function convertToOpenAIResponsesRequest(request: HubChatRequest): Converted<Json> {
  const own = withoutForeignSignedReasoning(request.messages, 'openai')
  const converted = convertToOpenAIResponsesInput(own.messages)
  const { instructions, input } = converted
  const warnings = [...own.warnings, ...converted.warnings, ...unsupported(request)]
  const extra = dialectExtra(request, OPENAI_RESPONSES_DIALECT)
  const body: Json = {
    ...extra,
    model: request.model,
    input,
    instructions,
    max_output_tokens: request.maxOutputTokens,
    temperature: request.temperature,
    top_p: request.topP,
    user: request.user,
    reasoning: reasoning(request, extra, warnings),
    text: text(request, extra),
    tools: tools(request, extra),
  }
  if (body.reasoning && request.reasoning?.enabled !== false) body.include = withEncryptedReasoning(extra.include)
  if (body.tools) {
    body.tool_choice = request.toolChoice === undefined ? extra.tool_choice : toolChoice(request.toolChoice)
    body.parallel_tool_calls = request.parallelToolCalls
  } else {
    // Without tools, a tool choice or parallel-call setting means nothing, and OpenAI rejects it.
    delete body.tool_choice
    delete body.parallel_tool_calls
  }
  if (request.stream) body.stream = true
  return { value: omitUndefined(body), warnings }
}
