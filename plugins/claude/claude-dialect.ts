import type { SseEvent } from '@hanggent/plugin-sdk'
import type { InboundRequest, TypedDialectCodec } from '@hanggent/plugin-sdk'
import { readBearerToken, readHeaderValue } from '@hanggent/plugin-sdk'
import { ClaudeMessagesRequest } from '../../schemas/claude-messages.ts'
import { readClaudeUpstreamError, renderClaudeError, renderClaudeStreamError } from './claude-errors.ts'
import { claudeMessagesHub } from './claude-hub.ts'
import { claudeModelList } from './claude-model-list.ts'
import { convertClaudeUsage } from './convert-claude-usage.ts'
import { CLAUDE_DIALECT } from './claude-dialect-extra.ts'
import { estimateClaudePrompt } from './estimate-claude-prompt.ts'

// see https://docs.claude.com/en/api/overview#authentication (x-api-key) and
// https://docs.claude.com/en/docs/build-with-claude/streaming — Anthropic streams always report
// usage (message_start and message_delta), so nothing is forced upstream and nothing hidden.

/** The key from `x-api-key`, else `Authorization: Bearer` (Anthropic SDKs configured with an auth token). */
export function readClaudeKey(request: InboundRequest): string | undefined {
  return readHeaderValue(request.headers, 'x-api-key') ?? readBearerToken(request.headers)
}

/** `POST /v1/messages`, Anthropic's Messages API. */
export const claudeMessagesDialect: TypedDialectCodec<typeof ClaudeMessagesRequest> = {
  dialect: CLAUDE_DIALECT,
  endpoint: 'chat',
  routes: [{ method: 'POST', path: '/v1/messages' }],
  requestSchema: ClaudeMessagesRequest,
  readKey: readClaudeKey,
  readModel: (body) => body.model,
  readStream: (body) => body.stream === true,
  readMaxOutputTokens: (body) => body.max_tokens,
  // Unmapped, the upstream body is the client's own text.
  prepareUpstreamBody: (body, model) => ({ body: { ...body, model }, clientBytes: body.model === model ? {} : undefined }),
  estimatePrompt: estimateClaudePrompt,
  usageMember: 'usage',
  decodeUsage: convertClaudeUsage,
  readUpstreamError: readClaudeUpstreamError,
  renderError: renderClaudeError,
  renderStreamError: renderClaudeStreamError,
  isFinalEvent: (event: SseEvent) => event.event === 'message_stop',
  hub: claudeMessagesHub,
  modelList: claudeModelList,
}
