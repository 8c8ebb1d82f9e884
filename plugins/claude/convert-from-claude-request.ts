import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubReasoning, HubTool, HubToolChoice } from '@hanggent/plugin-sdk'
import type { ClaudeMessagesRequest } from '../../schemas/claude-messages.ts'
import type { ClaudeMessageParam } from './claude-api.ts'
import { claudeExtraFor } from './claude-dialect-extra.ts'
import { convertFromClaudeMessages, convertFromClaudeSystem } from './convert-from-claude-messages.ts'
import { omitUndefined } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/api/messages (every request field)
// see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use
// see https://docs.claude.com/en/docs/build-with-claude/extended-thinking
// tool_choice any ↔ required, tool{name} ↔ {name}; disable_parallel_tool_use ↔ parallelToolCalls
// false; thinking enabled ↔ reasoning {enabled, budgetTokens} (thoughts included: Anthropic always
// returns them); metadata.user_id ↔ user. Fields the hub cannot hold go to `extra`, each named in a warning.

const HANDLED_FIELDS = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
])

/** A field a schema object leaves open (additional properties), as sent. */
function openField(value: Record<string, unknown>, name: string): unknown {
  return value[name]
}

const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)

/** Custom tools for the hub; server tools and cache_control stay with the dialect. */
function convertTools(tools: ClaudeMessagesRequest['tools'], warnings: string[], extra: Record<string, unknown>): HubTool[] | undefined {
  if (tools === undefined) return undefined
  const hubTools: HubTool[] = []
  const kept: unknown[] = []
  for (const tool of tools) {
    const custom = tool.type === undefined || tool.type === null || tool.type === 'custom'
    if (!custom) {
      kept.push(tool)
      warnings.push(`tool "${tool.name}" of type "${tool.type}" has no hub equivalent; only an Anthropic upstream receives it`)
      continue
    }
    const hubTool: HubTool = { name: tool.name, parameters: tool.input_schema ?? { type: 'object', properties: {} } }
    if (tool.description !== undefined) hubTool.description = tool.description
    hubTools.push(hubTool)
    if (tool.cache_control) {
      kept.push(tool)
      warnings.push(`cache_control on tool "${hubTool.name}" has no hub equivalent; only an Anthropic upstream receives it`)
    }
  }
  if (kept.length > 0) extra.tools = kept
  return hubTools.length > 0 ? hubTools : undefined
}

function convertToolChoice(choice: ClaudeMessagesRequest['tool_choice'], warnings: string[]): { toolChoice?: HubToolChoice; parallelToolCalls?: boolean } {
  if (choice === undefined) return {}
  const parallelToolCalls = choice.disable_parallel_tool_use === undefined ? undefined : !choice.disable_parallel_tool_use
  if (choice.type === 'auto') return { toolChoice: 'auto', parallelToolCalls }
  if (choice.type === 'any') return { toolChoice: 'required', parallelToolCalls }
  if (choice.type === 'none') return { toolChoice: 'none' }
  if (choice.name !== undefined) return { toolChoice: { name: choice.name }, parallelToolCalls }
  warnings.push(`tool_choice of type "${choice.type}" has no hub equivalent and was dropped`)
  return {}
}

function convertThinking(thinking: ClaudeMessagesRequest['thinking'], warnings: string[], extra: Record<string, unknown>): HubReasoning | undefined {
  if (thinking === undefined) return undefined
  if (thinking.type === 'enabled') {
    const reasoning: HubReasoning = { enabled: true, includeThoughts: true }
    const budget = number(openField(thinking, 'budget_tokens'))
    if (budget !== undefined) reasoning.budgetTokens = budget
    return reasoning
  }
  if (thinking.type === 'disabled') return { enabled: false }
  extra.thinking = thinking
  warnings.push(`thinking of type "${thinking.type}" has no hub equivalent; only an Anthropic upstream receives it`)
  return undefined
}

/** `metadata.user_id` is the hub's `user`; any other metadata key stays with the dialect. */
function convertMetadata(metadata: ClaudeMessagesRequest['metadata'], warnings: string[], extra: Record<string, unknown>): string | undefined {
  if (metadata === undefined) return undefined
  const { user_id: userId, ...rest } = metadata
  if (Object.keys(rest).length > 0) {
    extra.metadata = rest
    warnings.push('metadata fields other than user_id have no hub equivalent; only an Anthropic upstream receives them')
  }
  return typeof userId === 'string' ? userId : undefined
}

function leftoverFields(body: Record<string, unknown>, warnings: string[]): Record<string, unknown> {
  const extra: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(body)) {
    if (HANDLED_FIELDS.has(name) || value === undefined || value === null) continue
    extra[name] = value
    warnings.push(`\`${name}\` has no hub equivalent; only an Anthropic upstream receives it`)
  }
  return extra
}

/** An Anthropic Messages request body in hub form, with notes on everything the hub could not hold. */
export function convertFromClaudeRequest(body: ClaudeMessagesRequest): Converted<HubChatRequest> {
  // The schema's blocks are open (an unknown block type passes with `type` alone); the message converter reads
  // them by the wire types of claude-api.ts and guards each payload field it uses.
  const decoded = convertFromClaudeMessages(body.messages as ClaudeMessageParam[])
  const warnings = [...decoded.warnings]
  const extra = leftoverFields(body, warnings)
  const request: HubChatRequest = omitUndefined({
    model: body.model,
    messages: [...convertFromClaudeSystem(body.system), ...decoded.messages],
    stream: body.stream === true,
    maxOutputTokens: body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    topK: body.top_k,
    stop: body.stop_sequences,
    tools: convertTools(body.tools, warnings, extra),
    ...convertToolChoice(body.tool_choice, warnings),
    reasoning: convertThinking(body.thinking, warnings, extra),
    user: convertMetadata(body.metadata, warnings, extra),
  })
  const extraField = claudeExtraFor(extra)
  if (extraField) request.extra = extraField
  return { value: request, warnings }
}
