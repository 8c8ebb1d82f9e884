import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubTool, HubToolChoice } from '@hanggent/plugin-sdk'
import { isRecord } from '@hanggent/plugin-sdk'
import type { OpenAIChatRequest } from '../../schemas/openai-chat.ts'
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

/** A function definition as a chat tool or a legacy `functions` entry carries it. */
type FunctionDefinition = NonNullable<OpenAIChatRequest['tools']>[number]['function']

/** A field the request schema leaves open (additional properties), as sent. */
function openField(body: Record<string, unknown>, name: string): unknown {
  return body[name]
}

/** A legacy `functions` entry (a field the schema leaves open) with the name the hub needs. */
function isLegacyFunction(value: unknown): value is NonNullable<FunctionDefinition> & Record<string, unknown> {
  return isRecord(value) && typeof value.name === 'string' && (value.parameters === undefined || isRecord(value.parameters))
}

function hubTool(definition: NonNullable<FunctionDefinition>): HubTool {
  const tool: HubTool = { name: definition.name, parameters: definition.parameters ?? { type: 'object', properties: {} } }
  if (definition.description !== undefined) tool.description = definition.description
  if (typeof definition.strict === 'boolean') tool.strict = definition.strict
  return tool
}

/** Function tools for the hub; other tool types (e.g. `custom`) stay with the dialect. */
function convertTools(body: OpenAIChatRequest, warnings: string[], extra: Record<string, unknown>): HubTool[] | undefined {
  const tools: HubTool[] = []
  const others: Array<{ type: string }> = []
  for (const tool of body.tools ?? []) {
    if (tool.type === 'function' && tool.function) tools.push(hubTool(tool.function))
    else others.push(tool)
  }
  if (others.length > 0) {
    extra.tools = others
    warnings.push(`tools of type ${others.map((tool) => `"${tool.type}"`).join(', ')} have no hub equivalent; only an OpenAI Chat upstream receives them`)
  }
  const functions = openField(body, 'functions')
  if (Array.isArray(functions) && functions.length > 0) {
    tools.push(...functions.filter(isLegacyFunction).map(hubTool))
    warnings.push('`functions` is deprecated; carried as tools')
  }
  return tools.length > 0 ? tools : undefined
}

function convertToolChoice(body: OpenAIChatRequest, warnings: string[], extra: Record<string, unknown>): HubToolChoice | undefined {
  const choice = body.tool_choice
  const legacy = openField(body, 'function_call')
  if (choice === undefined && legacy !== undefined && legacy !== null) {
    warnings.push('`function_call` is deprecated; carried as tool_choice')
    if (legacy === 'auto' || legacy === 'none') return legacy
    if (isRecord(legacy) && typeof legacy.name === 'string') return { name: legacy.name }
    return undefined
  }
  if (typeof choice === 'string' && (choice === 'auto' || choice === 'none' || choice === 'required')) return choice
  if (isRecord(choice) && choice.type === 'function' && isRecord(choice.function) && typeof choice.function.name === 'string')
    return { name: choice.function.name }
  if (choice !== undefined) {
    extra.tool_choice = choice
    warnings.push('`tool_choice` of this form has no hub equivalent; only an OpenAI Chat upstream receives it')
  }
  return undefined
}

function convertResponseFormat(format: OpenAIChatRequest['response_format'], warnings: string[]): HubChatRequest['responseFormat'] {
  if (!format) return undefined
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type }
  const jsonSchema = openField(format, 'json_schema')
  if (format.type === 'json_schema' && isRecord(jsonSchema) && typeof jsonSchema.name === 'string') {
    const { name, schema, strict, description } = jsonSchema
    if (description !== undefined) warnings.push('response_format.json_schema.description has no hub equivalent and was dropped')
    return { type: 'json_schema', name, schema: isRecord(schema) ? schema : {}, ...(typeof strict === 'boolean' ? { strict } : {}) }
  }
  warnings.push(`response_format of type "${format.type}" has no hub equivalent and was dropped`)
  return undefined
}

/** Sampling and limit parameters, null treated as absent. */
function convertParameters(body: OpenAIChatRequest): Partial<HubChatRequest> {
  const parallelToolCalls = openField(body, 'parallel_tool_calls')
  const parameters: Partial<HubChatRequest> = {
    maxOutputTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    seed: number(openField(body, 'seed')),
    presencePenalty: number(openField(body, 'presence_penalty')),
    frequencyPenalty: number(openField(body, 'frequency_penalty')),
    candidateCount: body.n ?? undefined,
    parallelToolCalls: typeof parallelToolCalls === 'boolean' ? parallelToolCalls : undefined,
    user: body.user,
  }
  if (typeof body.stop === 'string') parameters.stop = [body.stop]
  else if (Array.isArray(body.stop)) parameters.stop = body.stop
  return parameters
}

/** An OpenAI Chat request body in hub form, with notes on everything the hub could not hold. */
export function convertFromOpenAIChatRequest(body: OpenAIChatRequest): Converted<HubChatRequest> {
  const { messages, warnings } = convertFromOpenAIChatMessages(body.messages)
  const leftover = collectExtraFields(body, HANDLED_FIELDS, 'OpenAI Chat')
  const extra = leftover.fields
  warnings.push(...leftover.warnings)
  const effort = openField(body, 'reasoning_effort')
  const reasoning = decodeReasoningEffort(effort)
  if (!reasoning && effort !== undefined && effort !== null) {
    extra.reasoning_effort = effort
    warnings.push(`reasoning_effort "${String(effort)}" has no hub equivalent; only an OpenAI Chat upstream receives it`)
  }
  const tools = convertTools(body, warnings, extra)
  const toolChoice = convertToolChoice(body, warnings, extra)
  const request: HubChatRequest = omitUndefined({
    model: body.model,
    messages,
    stream: body.stream === true,
    ...convertParameters(body),
    tools,
    toolChoice,
    responseFormat: convertResponseFormat(body.response_format, warnings),
    reasoning,
    extra: extraFor(OPENAI_CHAT_DIALECT, extra),
  })
  return { value: request, warnings }
}
