import type { Converted } from '@hanggent/plugin-sdk'
import type { HubChatRequest, HubReasoning, HubTool, HubToolChoice } from '@hanggent/plugin-sdk'
import type { ClaudeMessageParam } from './claude-api.ts'
import { claudeExtraFor } from './claude-dialect-extra.ts'
import { convertFromClaudeMessages, convertFromClaudeSystem } from './convert-from-claude-messages.ts'
import { omitUndefined } from '@hanggent/plugin-sdk'
import { isRecord } from '@hanggent/plugin-sdk'

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

const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)

type LooseTool = { name?: unknown; type?: unknown; description?: unknown; input_schema?: unknown; cache_control?: unknown }

/** Custom tools for the hub; server tools and cache_control stay with the dialect. */
function convertTools(tools: unknown, warnings: string[], extra: Record<string, unknown>): HubTool[] | undefined {
  if (!Array.isArray(tools)) return undefined
  const hubTools: HubTool[] = []
  const kept: unknown[] = []
  for (const tool of tools as LooseTool[]) {
    const custom = (tool.type === undefined || tool.type === null || tool.type === 'custom') && typeof tool.name === 'string'
    if (!custom) {
      kept.push(tool)
      warnings.push(`tool "${String(tool.name)}" of type "${String(tool.type)}" has no hub equivalent; only an Anthropic upstream receives it`)
      continue
    }
    const hubTool: HubTool = { name: tool.name as string, parameters: isRecord(tool.input_schema) ? tool.input_schema : { type: 'object', properties: {} } }
    if (typeof tool.description === 'string') hubTool.description = tool.description
    hubTools.push(hubTool)
    if (isRecord(tool.cache_control)) {
      kept.push(tool)
      warnings.push(`cache_control on tool "${hubTool.name}" has no hub equivalent; only an Anthropic upstream receives it`)
    }
  }
  if (kept.length > 0) extra.tools = kept
  return hubTools.length > 0 ? hubTools : undefined
}

function convertToolChoice(choice: unknown, warnings: string[]): { toolChoice?: HubToolChoice; parallelToolCalls?: boolean } {
  if (!isRecord(choice)) return {}
  const parallelToolCalls = typeof choice.disable_parallel_tool_use === 'boolean' ? !choice.disable_parallel_tool_use : undefined
  if (choice.type === 'auto') return { toolChoice: 'auto', parallelToolCalls }
  if (choice.type === 'any') return { toolChoice: 'required', parallelToolCalls }
  if (choice.type === 'none') return { toolChoice: 'none' }
  if (choice.type === 'tool' && typeof choice.name === 'string') return { toolChoice: { name: choice.name }, parallelToolCalls }
  warnings.push(`tool_choice of type "${String(choice.type)}" has no hub equivalent and was dropped`)
  return {}
}

function convertThinking(thinking: unknown, warnings: string[], extra: Record<string, unknown>): HubReasoning | undefined {
  if (!isRecord(thinking)) return undefined
  if (thinking.type === 'enabled') {
    const reasoning: HubReasoning = { enabled: true, includeThoughts: true }
    const budget = number(thinking.budget_tokens)
    if (budget !== undefined) reasoning.budgetTokens = budget
    return reasoning
  }
  if (thinking.type === 'disabled') return { enabled: false }
  extra.thinking = thinking
  warnings.push(`thinking of type "${String(thinking.type)}" has no hub equivalent; only an Anthropic upstream receives it`)
  return undefined
}

/** `metadata.user_id` is the hub's `user`; any other metadata key stays with the dialect. */
function convertMetadata(metadata: unknown, warnings: string[], extra: Record<string, unknown>): string | undefined {
  if (!isRecord(metadata)) return undefined
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
export function convertFromClaudeRequest(body: Record<string, unknown>): Converted<HubChatRequest> {
  const decoded = convertFromClaudeMessages(Array.isArray(body.messages) ? (body.messages as ClaudeMessageParam[]) : [])
  const warnings = [...decoded.warnings]
  const extra = leftoverFields(body, warnings)
  const request: HubChatRequest = omitUndefined({
    model: String(body.model),
    messages: [...convertFromClaudeSystem(body.system), ...decoded.messages],
    stream: body.stream === true,
    maxOutputTokens: number(body.max_tokens),
    temperature: number(body.temperature),
    topP: number(body.top_p),
    topK: number(body.top_k),
    stop: Array.isArray(body.stop_sequences) ? (body.stop_sequences as unknown[]).filter((stop): stop is string => typeof stop === 'string') : undefined,
    tools: convertTools(body.tools, warnings, extra),
    ...convertToolChoice(body.tool_choice, warnings),
    reasoning: convertThinking(body.thinking, warnings, extra),
    user: convertMetadata(body.metadata, warnings, extra),
  })
  const extraField = claudeExtraFor(extra)
  if (extraField) request.extra = extraField
  return { value: request, warnings }
}
