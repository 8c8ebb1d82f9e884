import { parseJsonObject } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use — a tool_use
// block's `input` is a JSON object. The hub carries arguments as JSON text, which some models (or
// a truncated stream) get wrong; such arguments are sent as `{}` with a warning rather than failing.

/** Hub tool-call arguments as the `input` object of a tool_use block. */
export function encodeToolInput(argumentsText: string, toolName: string, warnings: string[]): Record<string, unknown> {
  if (argumentsText.trim() === '') return {}
  const input = parseJsonObject<Record<string, unknown>>(argumentsText)
  if (input) return input
  warnings.push(`the arguments of a call to "${toolName}" are not a JSON object; they were sent as {}`)
  return {}
}
