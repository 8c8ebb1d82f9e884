import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubTool, HubToolChoice } from '@hanggent/plugin-sdk'
import type { OpenAIChatFunctionTool, OpenAIChatResponseFormat } from './openai-chat-api.ts'
import { convertToOpenAIChatMessages } from './convert-to-openai-chat-messages.ts'
import { dialectExtra } from './dialect-extra.ts'
import { OPENAI_CHAT_DIALECT } from './convert-from-openai-chat-request.ts'
import { encodeReasoningEffort } from './map-openai-reasoning-effort.ts'
import { omitUndefined } from '@hanggent/plugin-sdk'

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

function toolChoice(choice: HubToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } }
}

function responseFormat(format: NonNullable<HubChatRequest['responseFormat']>): OpenAIChatResponseFormat {
  if (format.type !== 'json_schema') return { type: format.type }
  const schema: Extract<OpenAIChatResponseFormat, { type: 'json_schema' }>['json_schema'] = { name: format.name, schema: format.schema }
  if (format.strict !== undefined) schema.strict = format.strict
  return { type: 'json_schema', json_schema: schema }
}

/** Tools: the hub's functions, then the tool types only OpenAI Chat knows (kept in `extra`). */
function tools(request: HubChatRequest, extra: Record<string, unknown>): unknown[] | undefined {
  const all: unknown[] = (request.tools ?? []).map(functionTool)
  if (Array.isArray(extra.tools)) all.push(...extra.tools)
  return all.length > 0 ? all : undefined
}

/** The sampling and limit fields, set only when the hub has them. */
function parameters(request: HubChatRequest, warnings: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = {
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

/** A hub request as an OpenAI Chat Completions body, with notes on what could not be carried over. */
export function convertToOpenAIChatRequest(request: HubChatRequest): Converted<Record<string, unknown>> {
  const { messages, warnings } = convertToOpenAIChatMessages(request.messages)
  const extra = dialectExtra(request, OPENAI_CHAT_DIALECT)
  const body: Record<string, unknown> = { ...extra, model: request.model, messages, ...parameters(request, warnings) }
  body.tools = tools(request, extra)
  if (body.tools) body.tool_choice = request.toolChoice === undefined ? extra.tool_choice : toolChoice(request.toolChoice)
  else {
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
