import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubTool } from '@hanggent/plugin-sdk'
import type { ClaudeCustomTool, ClaudeToolChoice } from './claude-api.ts'
import { claudeExtra } from './claude-dialect-extra.ts'
import { convertToClaudeMessages } from './convert-to-claude-messages.ts'
import { withoutForeignSignedReasoning } from '@hanggent/plugin-sdk'
import { planClaudeThinking } from './map-claude-thinking.ts'
import { omitUndefined } from '@hanggent/plugin-sdk'
import { isRecord } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/api/messages (every request field)
// see https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility
// `max_tokens` is required: when the hub request has none, 8192 (4096 for the Claude 3 models whose
// output ceiling is 4096). Temperature above Anthropic's 1 is lowered to 1. With thinking on,
// Anthropic refuses temperature other than 1, top_p below 0.95, top_k and forced tool use; those
// are adjusted with a warning rather than failing, as are whitespace-only stop sequences.
// Parameters Anthropic lacks (seed, penalties, n, response_format) are dropped with a warning.

/** max_tokens used when the hub request sets none. */
export const DEFAULT_MAX_TOKENS = 8192
const SMALL_OUTPUT_MODELS = /^claude-3-(haiku|opus|sonnet)|^claude-3-5-sonnet-20240620/
const SMALL_OUTPUT_MAX_TOKENS = 4096

/** The max_tokens default for a model. */
export function defaultClaudeMaxTokens(model: string): number {
  return SMALL_OUTPUT_MODELS.test(model) ? SMALL_OUTPUT_MAX_TOKENS : DEFAULT_MAX_TOKENS
}

function customTool(tool: HubTool, kept: Map<string, Record<string, unknown>>, warnings: string[]): ClaudeCustomTool {
  const converted: ClaudeCustomTool = {
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: tool.parameters,
  }
  const cacheControl = kept.get(tool.name)?.cache_control
  if (isRecord(cacheControl)) converted.cache_control = cacheControl
  if (tool.strict) warnings.push(`strict schema adherence for tool "${tool.name}" is not supported by Anthropic Messages and was ignored`)
  return converted
}

/** The hub's tools as custom tools, then the tools only Anthropic knows (kept in `extra`). */
function tools(request: HubChatRequest, extraTools: unknown, warnings: string[]): unknown[] | undefined {
  const kept = new Map<string, Record<string, unknown>>()
  for (const tool of Array.isArray(extraTools) ? extraTools : []) if (isRecord(tool) && typeof tool.name === 'string') kept.set(tool.name, tool)
  const hubTools = request.tools ?? []
  const all: unknown[] = hubTools.map((tool) => customTool(tool, kept, warnings))
  const hubNames = new Set(hubTools.map((tool) => tool.name))
  for (const [name, tool] of kept) if (!hubNames.has(name)) all.push(tool)
  return all.length > 0 ? all : undefined
}

function toolChoice(request: HubChatRequest, thinking: boolean, warnings: string[]): ClaudeToolChoice | undefined {
  let choice = request.toolChoice
  if (thinking && (choice === 'required' || typeof choice === 'object')) {
    warnings.push('Anthropic does not allow forced tool use with thinking on; tool_choice was relaxed to auto')
    choice = 'auto'
  }
  const parallel = request.parallelToolCalls
  const disable = parallel === undefined ? {} : { disable_parallel_tool_use: !parallel }
  if (choice === 'none') return { type: 'none' }
  if (choice === 'required') return { type: 'any', ...disable }
  if (typeof choice === 'object') return { type: 'tool', name: choice.name, ...disable }
  if (choice === 'auto') return { type: 'auto', ...disable }
  return parallel === false ? { type: 'auto', disable_parallel_tool_use: true } : undefined
}

/** temperature, top_p and top_k, within Anthropic's range (temperature 0–1) and what thinking allows. */
function sampling(request: HubChatRequest, thinking: boolean, warnings: string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = { temperature: request.temperature, top_p: request.topP, top_k: request.topK }
  if (request.temperature !== undefined && request.temperature > 1) {
    warnings.push(`temperature ${request.temperature} was lowered to 1, the highest Anthropic accepts`)
    fields.temperature = 1
  }
  if (!thinking) return fields
  if (request.temperature !== undefined && request.temperature !== 1) {
    warnings.push(`temperature ${request.temperature} was dropped: Anthropic allows only 1 with thinking on`)
    fields.temperature = undefined
  }
  if (request.topP !== undefined && request.topP < 0.95) {
    warnings.push(`top_p ${request.topP} was dropped: Anthropic allows only 0.95 to 1 with thinking on`)
    fields.top_p = undefined
  }
  if (request.topK !== undefined) {
    warnings.push('top_k was dropped: Anthropic does not allow it with thinking on')
    fields.top_k = undefined
  }
  return fields
}

function unsupported(request: HubChatRequest, warnings: string[]) {
  if (request.seed !== undefined) warnings.push('seed is not supported by Anthropic Messages and was dropped')
  if (request.presencePenalty !== undefined) warnings.push('presence_penalty is not supported by Anthropic Messages and was dropped')
  if (request.frequencyPenalty !== undefined) warnings.push('frequency_penalty is not supported by Anthropic Messages and was dropped')
  if (request.candidateCount !== undefined && request.candidateCount > 1)
    warnings.push(`Anthropic Messages returns one answer; ${request.candidateCount} were asked for`)
  if (request.responseFormat && request.responseFormat.type !== 'text')
    warnings.push(`response_format "${request.responseFormat.type}" is not supported by Anthropic Messages and was dropped`)
}

/** Stop sequences; Anthropic refuses whitespace-only ones (OpenAI clients often send "\n"). */
function stopSequences(stop: string[] | undefined, warnings: string[]): string[] | undefined {
  const kept = (stop ?? []).filter((sequence) => sequence.trim() !== '')
  if (kept.length < (stop ?? []).length) warnings.push('whitespace-only stop sequences were dropped: Anthropic refuses them')
  return kept.length > 0 ? kept : undefined
}

function metadata(request: HubChatRequest, extraMetadata: unknown): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = isRecord(extraMetadata) ? { ...extraMetadata } : {}
  if (request.user !== undefined) fields.user_id = request.user
  return Object.keys(fields).length > 0 ? fields : undefined
}

/** A hub request as an Anthropic Messages body, with notes on what could not be carried over. */
export function convertToClaudeRequest(request: HubChatRequest): Converted<Record<string, unknown>> {
  const own = withoutForeignSignedReasoning(request.messages, 'anthropic')
  const prompt = convertToClaudeMessages(own.messages)
  const warnings = [...own.warnings, ...prompt.warnings]
  const { tools: extraTools, metadata: extraMetadata, ...extraFields } = claudeExtra(request)
  const plan = planClaudeThinking(
    { ...request, messages: own.messages },
    request.maxOutputTokens ?? defaultClaudeMaxTokens(request.model),
    request.maxOutputTokens !== undefined,
    warnings,
  )
  const thinking = plan.thinking?.type === 'enabled'
  unsupported(request, warnings)
  const toolList = tools(request, extraTools, warnings)
  const body: Record<string, unknown> = {
    ...extraFields,
    model: request.model,
    system: prompt.value.system,
    messages: prompt.value.messages,
    max_tokens: plan.maxTokens,
    stop_sequences: stopSequences(request.stop, warnings),
    ...sampling(request, thinking, warnings),
    tools: toolList,
    // Without tools, tool_choice means nothing (and Anthropic refuses it).
    tool_choice: toolList ? toolChoice(request, thinking, warnings) : undefined,
    thinking: plan.thinking ?? extraFields.thinking,
    metadata: metadata(request, extraMetadata),
    stream: request.stream ? true : undefined,
  }
  return { value: omitUndefined(body), warnings }
}
