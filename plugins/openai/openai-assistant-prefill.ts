import { readSettings, type AssistantPrefill, type ChannelContext, type Dialect } from '@hanggent/plugin-sdk'
import { rootUrl } from './openai-balance-readers.ts'
import { OpenAITransportSettings, type AssistantPrefillStyle } from './openai-settings.ts'

// OpenAI's chat API has no way to continue a prefilled assistant turn: one sent last is answered anew. Several
// OpenAI-compatible vendors document one, each marked its own way; a channel's style comes from its `assistantPrefill`
// setting, else from its base URL's host. None of them is documented to refuse a prefill ending in whitespace.
// see https://api-docs.deepseek.com/guides/chat_prefix_completion — last message {role: assistant, prefix: true}, base_url https://api.deepseek.com/beta; the answer is the continuation only
// see https://docs.mistral.ai/guides/prefix/ — last assistant message with prefix: true; the guide's examples cut len(prefix) off the answer, which starts with the prefix
// see https://platform.moonshot.cn/docs/api/partial — last assistant message with partial: true; "the API's answer does not contain leading_text"
// see https://www.alibabacloud.com/help/en/model-studio/partial-mode — Qwen on DashScope: partial: true, non-thinking mode only (enable_thinking: false)
// see https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html — continue_final_message: true with add_generation_prompt: false; echo defaults to false

/** Each vendor's prefill contract, as the gateway applies it to a chat-completions body (url: from the channel's base URL). */
const styles: Record<Exclude<AssistantPrefillStyle, 'none'>, (baseUrl: string) => AssistantPrefill> = {
  deepseek: (baseUrl) => ({ messageMembers: { prefix: true }, url: rootUrl(baseUrl, '/beta/chat/completions') }),
  mistral: () => ({ messageMembers: { prefix: true }, echoesPrefill: true }),
  moonshot: () => ({ messageMembers: { partial: true } }),
  qwen: () => ({ messageMembers: { partial: true }, bodyMembers: { enable_thinking: false } }),
  vllm: () => ({ bodyMembers: { continue_final_message: true, add_generation_prompt: false } }),
}

/** The hosted vendors' API hosts and their styles; every other host (api.openai.com, Azure, self-hosted) has none unless set. */
const stylesByHost: Array<[RegExp, Exclude<AssistantPrefillStyle, 'none'>]> = [
  [/^api\.deepseek\.com$/, 'deepseek'],
  [/^api\.mistral\.ai$/, 'mistral'],
  [/^api\.moonshot\.(cn|ai)$/, 'moonshot'],
  [/^dashscope(-[a-z]+)?\.aliyuncs\.com$/, 'qwen'],
]

/** The style a base URL's host implies, or 'none'. */
export function prefillStyleByHost(baseUrl: string): AssistantPrefillStyle {
  let host: string
  try {
    host = new URL(baseUrl).hostname.toLowerCase()
  } catch {
    return 'none'
  }
  return stylesByHost.find(([pattern]) => pattern.test(host))?.[1] ?? 'none'
}

/** ChannelTransport.assistantPrefill of the OpenAI transports: chat calls only, the channel's setting over its host. */
export function openAIAssistantPrefill(channel: Pick<ChannelContext, 'baseUrl' | 'settings'>, dialect: Dialect): AssistantPrefill | undefined {
  if (dialect !== 'openai.chat') return undefined
  const style = readSettings(OpenAITransportSettings, channel.settings).assistantPrefill ?? prefillStyleByHost(channel.baseUrl)
  return style === 'none' ? undefined : styles[style](channel.baseUrl)
}
