import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubTool, HubToolChoice } from '@hanggent/plugin-sdk'
import type { OpenAIChatFunctionTool, OpenAIChatResponseFormat } from './openai-chat-api.ts'
import { convertToOpenAIChatMessages } from './convert-to-openai-chat-messages.ts'
import { dialectExtra } from './dialect-extra.ts'
import { OPENAI_CHAT_DIALECT } from './convert-from-openai-chat-request.ts'
import { encodeReasoningEffort } from './map-openai-reasoning-effort.ts'
import { isRecord, omitUndefined } from '@hanggent/plugin-sdk'
import type { OpenAIChatRequest } from '../../schemas/openai-chat.ts'

// see https://platform.openai.com/docs/api-reference/chat/create
// The output ceiling is sent as `max_completion_tokens`: OpenAI's reasoning models reject the
// deprecated `max_tokens`. Streams always ask for usage (`stream_options.include_usage`) so billing
// never guesses; the core hides the extra chunk from clients that did not ask for it.

function functionTool(tool: HubTool): OpenAIChatFunctionTool {
  const definition: OpenAIChatFunctionTool['function'] = { name: tool.name }
  if (tool.description !== undefined) definition.description = tool.description
  definition.parameters = tool.parameters
  if (tool.strict !== undefined) definition.strict = tool.strict
  return { type: 'function', function: definition }
}

function toolChoice(choice: HubToolChoice): NonNullable<OpenAIChatRequest['tool_choice']> {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } }
}

function responseFormat(format: NonNullable<HubChatRequest['responseFormat']>): OpenAIChatResponseFormat {
  if (format.type !== 'json_schema') return { type: format.type }
  const schema: Extract<OpenAIChatResponseFormat, { type: 'json_schema' }>['json_schema'] = { name: format.name, schema: format.schema }
  if (format.strict !== undefined) schema.strict = format.strict
  return { type: 'json_schema', json_schema: schema }
}

/** Tools: the hub's functions, then the tool types only OpenAI Chat knows (kept in `extra`). */
function tools(request: HubChatRequest, extra: Record<string, unknown>): OpenAIChatRequest['tools'] {
  const all: NonNullable<OpenAIChatRequest['tools']> = (request.tools ?? []).map(functionTool)
  // Kept from an OpenAI Chat client, whose schema checked them as tools.
  if (Array.isArray(extra.tools)) all.push(...extra.tools.filter(isChatTool))
  return all.length > 0 ? all : undefined
}

/** A tool kept in `extra` (an OpenAI Chat client's non-function tool): an object with its `type`. */
function isChatTool(value: unknown): value is NonNullable<OpenAIChatRequest['tools']>[number] {
  return isRecord(value) && typeof value.type === 'string'
}

/** A `tool_choice` kept in `extra`: a string or an object, as the chat schema takes it. */
function isChatToolChoice(value: unknown): value is NonNullable<OpenAIChatRequest['tool_choice']> {
  return typeof value === 'string' || isRecord(value)
}

/** Fields of a chat body the request schema leaves open (additional properties) but the encoder sets (a type, not an interface, so the body stays a plain JSON record). */
type ChatOpenFields = {
  seed?: number
  presence_penalty?: number
  frequency_penalty?: number
  parallel_tool_calls?: boolean
  reasoning_effort?: string
}

/** A chat request body as the encoder writes it: the schema's type and the open fields it sets. */
export type OpenAIChatUpstreamBody = OpenAIChatRequest & ChatOpenFields

/** The sampling and limit fields, set only when the hub has them. */
function parameters(request: HubChatRequest, warnings: string[]): Omit<OpenAIChatUpstreamBody, 'model' | 'messages'> {
  const body: Omit<OpenAIChatUpstreamBody, 'model' | 'messages'> = {
    max_completion_tokens: request.maxOutputTokens,
    temperature: request.temperature,
    top_p: request.topP,
    stop: request.stop,
    seed: request.seed,
    presence_penalty: request.presencePenalty,
    frequency_penalty: request.frequencyPenalty,
    n: request.candidateCount,
    parallel_tool_calls: request.parallelToolCalls,
    user: request.user,
  }
  if (request.topK !== undefined) warnings.push('top_k is not supported by OpenAI Chat and was dropped')
  if (request.responseFormat) body.response_format = responseFormat(request.responseFormat)
  const reasoning = encodeReasoningEffort(request.reasoning)
  if (reasoning.effort) body.reasoning_effort = reasoning.effort
  if (reasoning.warning) warnings.push(reasoning.warning)
  return body
}

/** A hub request as an OpenAI Chat Completions body (the chat request schema's type), with notes on what could not be carried over. */
export function convertToOpenAIChatRequest(request: HubChatRequest): Converted<OpenAIChatUpstreamBody> {
  const { messages, warnings } = convertToOpenAIChatMessages(request.messages)
  const extra = dialectExtra(request, OPENAI_CHAT_DIALECT)
  const body: OpenAIChatUpstreamBody = { ...extra, ...parameters(request, warnings), model: request.model, messages }
  body.tools = tools(request, extra)
  if (body.tools) {
    const kept = extra.tool_choice
    body.tool_choice = request.toolChoice !== undefined ? toolChoice(request.toolChoice) : isChatToolChoice(kept) ? kept : undefined
  } else {
    // OpenAI answers 400 to tool_choice or parallel_tool_calls without tools; with no tools they mean nothing.
    delete body.tool_choice
    delete body.parallel_tool_calls
  }
  if (request.stream) {
    body.stream = true
    body.stream_options = { include_usage: true }
  }
  return { value: omitUndefined(body), warnings }
}
