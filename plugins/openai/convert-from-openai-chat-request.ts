import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubTool, HubToolChoice } from '@hanggent/plugin-sdk'
import type { OpenAIChatFunctionTool, OpenAIChatMessage, OpenAIChatResponseFormat } from './openai-chat-api.ts'
import { convertFromOpenAIChatMessages } from './convert-from-openai-chat-messages.ts'
import { collectExtraFields, extraFor } from './dialect-extra.ts'
import { omitUndefined } from '@hanggent/plugin-sdk'
import { decodeReasoningEffort } from './map-openai-reasoning-effort.ts'

// see https://platform.openai.com/docs/api-reference/chat/create
// Deprecated `functions` / `function_call` still arrive from old clients; they become tools with a
// warning. Fields the hub cannot hold go to `extra` under `openai.chat`, each named in a warning.

/** The dialect id under which leftover fields are kept. */
export const OPENAI_CHAT_DIALECT = 'openai.chat'

const HANDLED_FIELDS = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'user',
  'functions',
  'function_call',
])

const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)

type LegacyFunction = OpenAIChatFunctionTool['function']

function hubTool(definition: LegacyFunction): HubTool {
  const tool: HubTool = { name: definition.name, parameters: definition.parameters ?? { type: 'object', properties: {} } }
  if (definition.description !== undefined) tool.description = definition.description
  if (typeof definition.strict === 'boolean') tool.strict = definition.strict
  return tool
}

/** Function tools for the hub; other tool types (e.g. `custom`) stay with the dialect. */
function convertTools(body: Record<string, unknown>, warnings: string[], extra: Record<string, unknown>): HubTool[] | undefined {
  const tools: HubTool[] = []
  const others: unknown[] = []
  for (const tool of Array.isArray(body.tools) ? (body.tools as Array<{ type?: string; function?: LegacyFunction }>) : []) {
    if (tool.type === 'function' && tool.function) tools.push(hubTool(tool.function))
    else others.push(tool)
  }
  if (others.length > 0) {
    extra.tools = others
    warnings.push(
      `tools of type ${others.map((tool) => `"${(tool as { type?: unknown }).type}"`).join(', ')} have no hub equivalent; only an OpenAI Chat upstream receives them`,
    )
  }
  if (Array.isArray(body.functions) && body.functions.length > 0) {
    tools.push(...(body.functions as LegacyFunction[]).map(hubTool))
    warnings.push('`functions` is deprecated; carried as tools')
  }
  return tools.length > 0 ? tools : undefined
}

function convertToolChoice(body: Record<string, unknown>, warnings: string[], extra: Record<string, unknown>): HubToolChoice | undefined {
  const choice = body.tool_choice ?? undefined
  if (choice === undefined && body.function_call !== undefined && body.function_call !== null) {
    warnings.push('`function_call` is deprecated; carried as tool_choice')
    const legacy = body.function_call
    if (legacy === 'auto' || legacy === 'none') return legacy
    if (typeof legacy === 'object' && typeof (legacy as { name?: unknown }).name === 'string') return { name: (legacy as { name: string }).name }
    return undefined
  }
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice
  const named = choice as { type?: string; function?: { name?: unknown } } | undefined
  if (named?.type === 'function' && typeof named.function?.name === 'string') return { name: named.function.name }
  if (choice !== undefined) {
    extra.tool_choice = choice
    warnings.push('`tool_choice` of this form has no hub equivalent; only an OpenAI Chat upstream receives it')
  }
  return undefined
}

function convertResponseFormat(format: OpenAIChatResponseFormat | undefined | null, warnings: string[]): HubChatRequest['responseFormat'] {
  if (!format) return undefined
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type }
  if (format.type === 'json_schema') {
    const { name, schema, strict, description } = format.json_schema
    if (description !== undefined) warnings.push('response_format.json_schema.description has no hub equivalent and was dropped')
    return { type: 'json_schema', name, schema: schema ?? {}, ...(typeof strict === 'boolean' ? { strict } : {}) }
  }
  warnings.push(`response_format of type "${(format as { type: string }).type}" has no hub equivalent and was dropped`)
  return undefined
}

/** Sampling and limit parameters, null treated as absent. */
function convertParameters(body: Record<string, unknown>): Partial<HubChatRequest> {
  const parameters: Partial<HubChatRequest> = {
    maxOutputTokens: number(body.max_completion_tokens) ?? number(body.max_tokens),
    temperature: number(body.temperature),
    topP: number(body.top_p),
    seed: number(body.seed),
    presencePenalty: number(body.presence_penalty),
    frequencyPenalty: number(body.frequency_penalty),
    candidateCount: number(body.n),
    parallelToolCalls: typeof body.parallel_tool_calls === 'boolean' ? body.parallel_tool_calls : undefined,
    user: typeof body.user === 'string' ? body.user : undefined,
  }
  if (typeof body.stop === 'string') parameters.stop = [body.stop]
  else if (Array.isArray(body.stop)) parameters.stop = body.stop as string[]
  return parameters
}

/** An OpenAI Chat request body in hub form, with notes on everything the hub could not hold. */
export function convertFromOpenAIChatRequest(body: Record<string, unknown>): Converted<HubChatRequest> {
  const { messages, warnings } = convertFromOpenAIChatMessages((body.messages ?? []) as OpenAIChatMessage[])
  const leftover = collectExtraFields(body, HANDLED_FIELDS, 'OpenAI Chat')
  const extra = leftover.fields
  warnings.push(...leftover.warnings)
  const reasoning = decodeReasoningEffort(body.reasoning_effort)
  if (!reasoning && body.reasoning_effort !== undefined && body.reasoning_effort !== null) {
    extra.reasoning_effort = body.reasoning_effort
    warnings.push(`reasoning_effort "${String(body.reasoning_effort)}" has no hub equivalent; only an OpenAI Chat upstream receives it`)
  }
  const tools = convertTools(body, warnings, extra)
  const toolChoice = convertToolChoice(body, warnings, extra)
  const request: HubChatRequest = omitUndefined({
    model: String(body.model),
    messages,
    stream: body.stream === true,
    ...convertParameters(body),
    tools,
    toolChoice,
    responseFormat: convertResponseFormat(body.response_format as OpenAIChatResponseFormat | undefined, warnings),
    reasoning,
    extra: extraFor(OPENAI_CHAT_DIALECT, extra),
  })
  return { value: request, warnings }
}
