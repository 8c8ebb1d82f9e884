import { Type, type Static } from '@sinclair/typebox'

// Settings of the channel types that speak OpenAI's API, in one place so the transport reads them
// typed (readSettings) and the channel types declare the same schemas to the dashboard.

/** Extra HTTP headers sent upstream, a setting of every OpenAI-speaking channel type. */
export const extraHeaders = Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra HTTP headers sent upstream' }))

/** Settings of a channel on an OpenAI account (the `openai` and `openai-responses` types). */
export const openAIAccountSettings = Type.Object(
  {
    organization: Type.Optional(Type.String({ description: 'OpenAI-Organization header' })),
    project: Type.Optional(Type.String({ description: 'OpenAI-Project header' })),
    headers: extraHeaders,
  },
  { additionalProperties: false },
)

/** How an upstream continues a prefilled assistant turn (openai-assistant-prefill.ts); 'none' for OpenAI's own API. */
const AssistantPrefillSetting = Type.Union(
  [Type.Literal('none'), Type.Literal('deepseek'), Type.Literal('mistral'), Type.Literal('moonshot'), Type.Literal('qwen'), Type.Literal('vllm')],
  { description: "How the upstream continues a prefilled assistant turn (a cut stream's rest); unset: chosen by the base URL's host" },
)

/** A value of the `assistantPrefill` setting. */
export type AssistantPrefillStyle = Static<typeof AssistantPrefillSetting>

/** Settings of an `openai-compatible` channel. */
export const openAICompatibleSettings = Type.Object(
  {
    streamUsage: Type.Optional(Type.Boolean({ default: true, description: 'Upstream accepts stream_options.include_usage' })),
    assistantPrefill: Type.Optional(AssistantPrefillSetting),
    headers: extraHeaders,
  },
  { additionalProperties: false },
)

/** Every setting the OpenAI transport reads, whichever of the channel types above the channel is. */
export const OpenAITransportSettings = Type.Composite([openAIAccountSettings, openAICompatibleSettings])
