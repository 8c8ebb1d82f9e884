import type { ChatHubCodec } from '@hanggent/plugin-sdk'
import {
  convertFromOpenAICompletionsRequest,
  convertToOpenAICompletionsRequest,
  decodeOpenAICompletionsResult,
  encodeOpenAICompletionsResult,
} from './convert-openai-completions.ts'
import { createOpenAICompletionsStreamDecoder, decodeOpenAICompletionsStream, encodeOpenAICompletionsStream } from './openai-completions-stream.ts'

/**
 * OpenAI legacy completions ⇄ hub. As the client's dialect it lets `/v1/completions` reach chat-only
 * models and channels (the prompt becomes one user message); as an upstream dialect it is never chosen
 * for chat clients (the core only converts into chat or responses endpoints), but it is complete.
 */
export const openAICompletionsHub: ChatHubCodec = {
  decodeRequest: (body) => convertFromOpenAICompletionsRequest(body),
  encodeResult: encodeOpenAICompletionsResult,
  encodeStream: encodeOpenAICompletionsStream,
  encodeRequest: convertToOpenAICompletionsRequest,
  decodeResult: decodeOpenAICompletionsResult,
  decodeStream: decodeOpenAICompletionsStream,
  createStreamDecoder: createOpenAICompletionsStreamDecoder,
}
