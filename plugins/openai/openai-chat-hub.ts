import type { ChatHubCodec } from '@hanggent/plugin-sdk'
import type { OpenAIChatRequest } from '../../schemas/openai-chat.ts'
import { convertFromOpenAIChatRequest } from './convert-from-openai-chat-request.ts'
import { convertToOpenAIChatRequest } from './convert-to-openai-chat-request.ts'
import { decodeOpenAIChatResult, encodeOpenAIChatResult } from './convert-openai-chat-result.ts'
import { createOpenAIChatStreamDecoder, decodeOpenAIChatStream } from './openai-chat-stream-decode.ts'
import { encodeOpenAIChatStream } from './openai-chat-stream-encode.ts'

/** OpenAI Chat Completions ⇄ hub, both as the client's dialect and as the upstream's. */
export const openAIChatHub: ChatHubCodec<OpenAIChatRequest> = {
  decodeRequest: (body) => convertFromOpenAIChatRequest(body),
  encodeResult: encodeOpenAIChatResult,
  encodeStream: encodeOpenAIChatStream,
  encodeRequest: convertToOpenAIChatRequest,
  decodeResult: decodeOpenAIChatResult,
  decodeStream: decodeOpenAIChatStream,
  createStreamDecoder: createOpenAIChatStreamDecoder,
}
