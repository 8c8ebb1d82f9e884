// see https://docs.claude.com/en/api/messages — tool_use ids must match ^[a-zA-Z0-9_-]+$. Ids made
// by other vendors (e.g. `functions.get_weather:0`) are rewritten the same way in the tool_use and
// in the tool_result that answers it, so the pair still matches.

/** A tool call id Anthropic accepts. */
export function claudeToolId(id: string): string {
  const safe = id.replace(/[^a-zA-Z0-9_-]/g, '_')
  return safe === '' ? 'toolu_unnamed' : safe
}
