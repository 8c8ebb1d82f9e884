import type { HubChatRequest } from '@hanggent/plugin-sdk'
import { recordMember } from '@hanggent/plugin-sdk'

// A request field with no hub equivalent is kept in `HubChatRequest.extra` under the id of the dialect
// it came from, so only an upstream speaking that same dialect receives it back: a Responses-only
// field such as `include` must never reach a Chat Completions body, and vice versa.

/** The fields a request carried for `dialect`, or an empty record. */
export function dialectExtra(request: HubChatRequest, dialect: string): Record<string, unknown> {
  return recordMember(request.extra, dialect) ?? {}
}

/** Splits a body into the fields a decoder handles and the rest, with one warning per leftover field. */
export function collectExtraFields(
  body: Record<string, unknown>,
  handled: ReadonlySet<string>,
  dialectLabel: string,
): { fields: Record<string, unknown>; warnings: string[] } {
  const fields: Record<string, unknown> = {}
  const warnings: string[] = []
  for (const [name, value] of Object.entries(body)) {
    if (handled.has(name) || value === undefined || value === null) continue
    fields[name] = value
    warnings.push(`\`${name}\` has no hub equivalent; only an ${dialectLabel} upstream receives it`)
  }
  return { fields, warnings }
}

/** Puts a dialect's leftover fields into `extra`, or leaves `extra` out when there are none. */
export function extraFor(dialect: string, fields: Record<string, unknown>): HubChatRequest['extra'] {
  return Object.keys(fields).length > 0 ? { [dialect]: fields } : undefined
}
