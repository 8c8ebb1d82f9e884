import type { ChatHubCodec } from '@hanggent/plugin-sdk'
import type { ClaudeMessagesRequest } from '../../schemas/claude-messages.ts'
import { decodeClaudeResult, encodeClaudeResult } from './convert-claude-result.ts'
import { convertFromClaudeRequest } from './convert-from-claude-request.ts'
import { convertToClaudeRequest } from './convert-to-claude-request.ts'
import { createClaudeStreamDecoder, decodeClaudeStream } from './claude-stream-decode.ts'
import { encodeClaudeStream } from './claude-stream-encode.ts'

/** Anthropic Messages ⇄ hub, both as the client's dialect and as the upstream's. */
export const claudeMessagesHub: ChatHubCodec<ClaudeMessagesRequest> = {
  decodeRequest: (body) => convertFromClaudeRequest(body),
  encodeResult: encodeClaudeResult,
  encodeStream: encodeClaudeStream,
  encodeRequest: convertToClaudeRequest,
  decodeResult: decodeClaudeResult,
  decodeStream: decodeClaudeStream,
  createStreamDecoder: createClaudeStreamDecoder,
  // A final assistant turn is continued, not answered anew (prefill; no trailing whitespace, no thinking).
  // see https://docs.claude.com/en/docs/build-with-claude/prompt-engineering/prefill-claudes-response
  continuesAssistantPrefill: true,
}
