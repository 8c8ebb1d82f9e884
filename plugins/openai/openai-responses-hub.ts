import type { ChatHubCodec } from '@hanggent/plugin-sdk'
import type { OpenAIResponsesRequest } from '../../schemas/openai-responses.ts'
import { convertFromOpenAIResponsesRequest } from './convert-from-openai-responses-request.ts'
import { convertToOpenAIResponsesRequest } from './convert-to-openai-responses-request.ts'
import { decodeOpenAIResponsesResult, encodeOpenAIResponsesResult } from './convert-openai-responses-result.ts'
import { createOpenAIResponsesStreamDecoder, decodeOpenAIResponsesStream } from './openai-responses-stream-decode.ts'
import { encodeOpenAIResponsesStream } from './openai-responses-stream-encode.ts'

/** OpenAI Responses ⇄ hub, both as the client's dialect and as the upstream's. */
export const openAIResponsesHub: ChatHubCodec<OpenAIResponsesRequest> = {
  decodeRequest: (body) => convertFromOpenAIResponsesRequest(body),
  encodeResult: encodeOpenAIResponsesResult,
  encodeStream: encodeOpenAIResponsesStream,
  encodeRequest: convertToOpenAIResponsesRequest,
  decodeResult: decodeOpenAIResponsesResult,
  decodeStream: decodeOpenAIResponsesStream,
  createStreamDecoder: createOpenAIResponsesStreamDecoder,
}
