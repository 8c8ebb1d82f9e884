import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubReasoning, HubTool, HubToolChoice } from '@hanggent/plugin-sdk'
import { GatewayError } from '@hanggent/plugin-sdk'
import { convertFromOpenAIResponsesInput } from './convert-from-openai-responses-input.ts'
import { collectExtraFields, extraFor } from './dialect-extra.ts'
import { omitUndefined } from '@hanggent/plugin-sdk'
import { satisfiesStrictMode } from './strict-json-schema.ts'
import { decodeReasoningEffort } from './map-openai-reasoning-effort.ts'
import { isRecord } from '@hanggent/plugin-sdk'
import type { OpenAIResponsesRequest } from '../../schemas/openai-responses.ts'

// see https://platform.openai.com/docs/api-reference/responses/create
// The gateway keeps no conversation state, so `previous_response_id` and `conversation` are refused
// with a clear 400 instead of being ignored (the answer would silently lack the earlier turns).
// Function tools keep the `strict` the client sent; without one (the Responses API's default is strict)
// they are strict only when their schema satisfies strict mode, so a Chat upstream does not refuse them.

/** The dialect id under which leftover fields are kept. */
export const OPENAI_RESPONSES_DIALECT = 'openai.responses'

const HANDLED_FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_output_tokens',
  'temperature',
  'top_p',
  'reasoning',
  'text',
  'stream',
  'user',
  'previous_response_id',
  'conversation',
])

type Json = Record<string, unknown>

/** A field the request schema leaves open (additional properties), as sent. */
function openField(body: Json, name: string): unknown {
  return body[name]
}

function refuseState(body: OpenAIResponsesRequest) {
  for (const param of ['previous_response_id', 'conversation']) {
    const value = openField(body, param)
    if (value === undefined || value === null) continue
    throw new GatewayError(400, 'invalid_request', `${param} is not supported: the gateway keeps no conversation state; send the full input instead`, { param })
  }
}

/**
 * The hub's `strict` for a Responses function tool: what the client said when it said it; when it said
 * nothing (the Responses API then defaults to strict), strict only if the schema satisfies strict mode,
 * since a Chat upstream refuses a strict tool whose schema does not.
 */
function toolStrictness(strict: boolean | null | undefined, parameters: Json): boolean | undefined {
  if (typeof strict === 'boolean') return strict
  return satisfiesStrictMode(parameters) ? true : undefined
}

function convertTools(tools: OpenAIResponsesRequest['tools'], warnings: string[], extra: Json): HubTool[] | undefined {
  const functions: HubTool[] = []
  const others: Array<{ type: string }> = []
  for (const tool of tools ?? []) {
    if (tool.type !== 'function' || tool.name === undefined) {
      others.push(tool)
      continue
    }
    const parameters = tool.parameters ?? { type: 'object', properties: {} }
    const converted: HubTool = { name: tool.name, parameters }
    const strict = toolStrictness(tool.strict, parameters)
    if (strict !== undefined) converted.strict = strict
    if (tool.strict === undefined && strict === undefined)
      warnings.push(
        `tool "${tool.name}": sent without strict (the Responses default) because its schema does not satisfy strict mode (every property required, additionalProperties false)`,
      )
    if (tool.description !== undefined && tool.description !== null) converted.description = tool.description
    functions.push(converted)
  }
  if (others.length > 0) {
    extra.tools = others
    warnings.push(`tools of type ${others.map((tool) => `"${tool.type}"`).join(', ')} have no hub equivalent; only an OpenAI Responses upstream receives them`)
  }
  return functions.length > 0 ? functions : undefined
}

function convertToolChoice(choice: OpenAIResponsesRequest['tool_choice'], warnings: string[], extra: Json): HubToolChoice | undefined {
  if (choice === undefined) return undefined
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice
  const name = typeof choice === 'string' ? undefined : openField(choice, 'name')
  if (typeof choice !== 'string' && choice.type === 'function' && typeof name === 'string') return { name }
  extra.tool_choice = choice
  warnings.push('`tool_choice` of this form has no hub equivalent; only an OpenAI Responses upstream receives it')
  return undefined
}

/** `reasoning.effort` and `reasoning.summary`; anything else stays with the dialect. */
function convertReasoning(reasoning: OpenAIResponsesRequest['reasoning'], warnings: string[], extra: Json): HubReasoning | undefined {
  if (reasoning === undefined || reasoning === null) return undefined
  const { effort, summary, ...others } = reasoning
  const { generate_summary: legacySummary, ...rest }: Json = others
  const decoded = decodeReasoningEffort(effort)
  const hub: HubReasoning = { ...decoded }
  if (!decoded && effort !== undefined && effort !== null) rest.effort = effort
  const wanted = summary ?? legacySummary
  if (typeof wanted === 'string') {
    hub.includeThoughts = true
    if (wanted !== 'auto') warnings.push(`reasoning.summary "${wanted}" is carried as "auto"`)
  }
  if (Object.keys(rest).length > 0) {
    extra.reasoning = rest
    warnings.push(...Object.keys(rest).map((name) => `reasoning.${name} has no hub equivalent; only an OpenAI Responses upstream receives it`))
  }
  return Object.keys(hub).length > 0 ? hub : undefined
}

/** `text.format` as the hub response format; other `text` fields (e.g. verbosity) stay with the dialect. */
function convertText(textField: OpenAIResponsesRequest['text'], warnings: string[], extra: Json): HubChatRequest['responseFormat'] {
  if (textField === undefined) return undefined
  const { format, ...rest } = textField
  if (Object.keys(rest).length > 0) {
    extra.text = rest
    warnings.push(...Object.keys(rest).map((name) => `text.${name} has no hub equivalent; only an OpenAI Responses upstream receives it`))
  }
  if (format === undefined) return undefined
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type }
  if (format.description !== undefined) warnings.push('text.format.description has no hub equivalent and was dropped')
  return {
    type: 'json_schema',
    name: format.name ?? '',
    schema: format.schema ?? {},
    ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
  }
}

/** An OpenAI Responses request body in hub form; throws a 400 for server-side conversation state. */
export function convertFromOpenAIResponsesRequest(body: OpenAIResponsesRequest): Converted<HubChatRequest> {
  refuseState(body)
  const { messages, warnings } = convertFromOpenAIResponsesInput(body.input)
  if (body.instructions !== undefined && body.instructions !== null && body.instructions !== '')
    messages.unshift({ role: 'system', content: [{ type: 'text', text: body.instructions }] })
  const leftover = collectExtraFields(body, HANDLED_FIELDS, 'OpenAI Responses')
  const extra = leftover.fields
  warnings.push(...leftover.warnings)
  const tools = convertTools(body.tools, warnings, extra)
  const toolChoice = convertToolChoice(body.tool_choice, warnings, extra)
  const reasoning = convertReasoning(body.reasoning, warnings, extra)
  const responseFormat = convertText(body.text, warnings, extra)
  const request: HubChatRequest = omitUndefined({
    model: body.model,
    messages,
    stream: body.stream === true,
    maxOutputTokens: body.max_output_tokens ?? undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    parallelToolCalls: body.parallel_tool_calls ?? undefined,
    user: body.user,
    tools,
    toolChoice,
    responseFormat,
    reasoning,
    extra: extraFor(OPENAI_RESPONSES_DIALECT, extra),
  })
  return { value: request, warnings }
}
