import type { HubChatRequest } from '@hanggent/plugin-sdk'
import { isRecord } from '@hanggent/plugin-sdk'

// A request field with no hub equivalent (safetySettings, cachedContent, googleSearch tools, …) is kept
// in `HubChatRequest.extra` under this dialect's id, so only a Gemini upstream receives it back and
// every other upstream gets a warning instead of a silent change.

/** The dialect id of the Gemini generateContent API. */
export const GEMINI_DIALECT = 'gemini.generate'

/** The fields a request carried for Gemini, or an empty record. */
export function geminiExtra(request: HubChatRequest): Record<string, unknown> {
  const value = request.extra?.[GEMINI_DIALECT]
  return isRecord(value) ? value : {}
}

/** The fields of `record` not in `handled`, with one warning per field naming its path. */
export function leftoverFields(
  record: Record<string, unknown>,
  handled: ReadonlySet<string>,
  path: string,
): { fields: Record<string, unknown>; warnings: string[] } {
  const fields: Record<string, unknown> = {}
  const warnings: string[] = []
  for (const [name, value] of Object.entries(record)) {
    if (handled.has(name) || value === undefined || value === null) continue
    fields[name] = value
    warnings.push(`\`${path}${name}\` has no hub equivalent; only a Gemini upstream receives it`)
  }
  return { fields, warnings }
}
