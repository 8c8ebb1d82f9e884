// Channel type numbers of One API and New API and the channel types of this gateway they become.
// The two projects agree on 0, 1, 3 and 6–25, 31 and 33 and diverge elsewhere (2, 4, 5 and most
// numbers from 26 up), so each source has its own table.
// see https://github.com/songquanpeng/one-api/blob/main/relay/channeltype/define.go
// see https://github.com/QuantumNous/new-api/blob/main/constant/channel.go

/** Which project's schema a source database follows. */
export type SourceFlavour = 'one-api' | 'new-api'

/** What a source channel type becomes here. */
export interface ChannelTypeTarget {
  /** This gateway's channel type id. */
  type: string
  /** Base URL used when the source row has none (the source project's built-in default). */
  defaultBaseUrl?: string
}

const openAICompatible = (defaultBaseUrl?: string): ChannelTypeTarget => ({ type: 'openai-compatible', ...(defaultBaseUrl ? { defaultBaseUrl } : {}) })

/** Numbers both projects give the same meaning. */
const sharedTargets: Record<number, ChannelTypeTarget> = {
  1: { type: 'openai' },
  3: { type: 'azure' },
  8: openAICompatible(),
  14: { type: 'claude' },
  20: openAICompatible('https://openrouter.ai/api'),
  24: { type: 'gemini' },
  25: openAICompatible('https://api.moonshot.cn'),
  31: openAICompatible('https://api.lingyiwanwu.com'),
}

const oneApiTargets: Record<number, ChannelTypeTarget> = {
  ...sharedTargets,
  28: openAICompatible('https://api.mistral.ai'),
  29: openAICompatible('https://api.groq.com/openai'),
  30: openAICompatible('http://localhost:11434'),
  36: openAICompatible('https://api.deepseek.com'),
  39: openAICompatible('https://api.together.xyz'),
  44: openAICompatible('https://api.siliconflow.cn'),
  45: openAICompatible('https://api.x.ai'),
  50: openAICompatible(),
}

const newApiTargets: Record<number, ChannelTypeTarget> = {
  ...sharedTargets,
  4: openAICompatible('http://localhost:11434'),
  40: openAICompatible('https://api.siliconflow.cn'),
  42: openAICompatible('https://api.mistral.ai'),
  43: openAICompatible('https://api.deepseek.com'),
  48: openAICompatible('https://api.x.ai'),
}

const sharedNames: Record<number, string> = {
  0: 'Unknown',
  1: 'OpenAI',
  3: 'Azure',
  6: 'OpenAIMax',
  7: 'OhMyGPT',
  8: 'Custom',
  9: 'AILS',
  10: 'AIProxy',
  11: 'PaLM',
  12: 'API2GPT',
  13: 'AIGC2D',
  14: 'Anthropic',
  15: 'Baidu',
  16: 'Zhipu',
  17: 'Ali',
  18: 'Xunfei',
  19: '360',
  20: 'OpenRouter',
  21: 'AIProxyLibrary',
  22: 'FastGPT',
  23: 'Tencent',
  24: 'Gemini',
  25: 'Moonshot',
  31: 'LingYiWanWu',
  33: 'AWS Claude',
}

const oneApiNames: Record<number, string> = {
  ...sharedNames,
  2: 'API2D',
  4: 'CloseAI',
  5: 'OpenAI-SB',
  26: 'Baichuan',
  27: 'Minimax',
  28: 'Mistral',
  29: 'Groq',
  30: 'Ollama',
  32: 'StepFun',
  34: 'Coze',
  35: 'Cohere',
  36: 'DeepSeek',
  37: 'Cloudflare',
  38: 'DeepL',
  39: 'TogetherAI',
  40: 'Doubao',
  41: 'Novita',
  42: 'VertexAI',
  43: 'Proxy',
  44: 'SiliconFlow',
  45: 'xAI',
  46: 'Replicate',
  47: 'BaiduV2',
  48: 'XunfeiV2',
  49: 'AliBailian',
  50: 'OpenAICompatible',
  51: 'GeminiOpenAICompatible',
}

const newApiNames: Record<number, string> = {
  ...sharedNames,
  2: 'Midjourney',
  4: 'Ollama',
  5: 'MidjourneyPlus',
  26: 'Zhipu v4',
  27: 'Perplexity',
  34: 'Cohere',
  35: 'MiniMax',
  36: 'Suno',
  37: 'Dify',
  38: 'Jina',
  39: 'Cloudflare',
  40: 'SiliconFlow',
  41: 'VertexAI',
  42: 'Mistral',
  43: 'DeepSeek',
  44: 'MokaAI',
  45: 'VolcEngine',
  46: 'BaiduV2',
  47: 'Xinference',
  48: 'xAI',
  49: 'Coze',
  50: 'Kling',
  51: 'Jimeng',
}

/** This gateway's channel type for a source type number; undefined when there is none. */
export function channelTypeTarget(flavour: SourceFlavour, typeNumber: number): ChannelTypeTarget | undefined {
  return (flavour === 'one-api' ? oneApiTargets : newApiTargets)[typeNumber]
}

/** The source project's name of a type number, for the report (e.g. `15 (Baidu)`). */
export function channelTypeLabel(flavour: SourceFlavour, typeNumber: number): string {
  const name = (flavour === 'one-api' ? oneApiNames : newApiNames)[typeNumber]
  return name ? `${typeNumber} (${name})` : String(typeNumber)
}
