import type { HubChatRequest } from '@hanggent/plugin-sdk'
import { recordMember } from '@hanggent/plugin-sdk'

// A request field with no hub equivalent is kept in `HubChatRequest.extra` under the dialect id, so
// only an upstream speaking Anthropic's Messages API receives it back (e.g. a Claude client whose
// model name carries a `-thinking` suffix goes through the hub to a Claude channel). `tools` there
// holds the tool definitions the hub cannot express: server tools (`web_search_20250305`, …) and
// custom tools carrying `cache_control`.

/** The dialect id of Anthropic's Messages API. */
export const CLAUDE_DIALECT = 'claude.messages'

/** The fields a request carried for the Claude dialect, or an empty record. */
export function claudeExtra(request: HubChatRequest): Record<string, unknown> {
  return recordMember(request.extra, CLAUDE_DIALECT) ?? {}
}

/** Puts leftover fields into `extra`, or leaves `extra` out when there are none. */
export function claudeExtraFor(fields: Record<string, unknown>): HubChatRequest['extra'] {
  return Object.keys(fields).length > 0 ? { [CLAUDE_DIALECT]: fields } : undefined
}
