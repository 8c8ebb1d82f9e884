import type { ChannelTransport, ChannelTypeSpec } from '@hanggent/plugin-sdk'
import { openAIAccountSettings } from './openai-settings.ts'
import { buildOpenAIRequest } from './openai-transport.ts'
import { openAIModelListing } from './openai-upstream-models.ts'

// see https://platform.openai.com/docs/models (o1-pro, o3-pro, gpt-5-pro, codex-mini-latest, gpt-5-codex are
// served only on /v1/responses; /v1/chat/completions answers 404 for them)
// A channel of this type declares that its models speak only the Responses API: Chat Completions,
// Claude and Gemini clients reach them converted through the hub to and from Responses (requests,
// complete answers and streams, tools, reasoning, usage and errors), and Responses clients pass through.

/** Transport of the `openai-responses` channel type: OpenAI's Responses API, and nothing else. */
export const openAIResponsesOnlyTransport: ChannelTransport = {
  nativeDialects: ['openai.responses'],
  buildRequest: buildOpenAIRequest,
}

/** The `openai-responses` channel type, for OpenAI models served only on the Responses API (`-pro`, codex). */
export const openAIResponsesChannelType: ChannelTypeSpec = {
  id: 'openai-responses',
  label: 'OpenAI (Responses API only: -pro, codex)',
  defaultBaseUrl: 'https://api.openai.com',
  settings: openAIAccountSettings,
  transport: openAIResponsesOnlyTransport,
  modelListing: openAIModelListing,
}
