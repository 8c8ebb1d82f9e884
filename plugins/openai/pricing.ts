import type { ModelPrice } from '@hanggent/plugin-sdk'
import { openAIAudioPricing } from './openai-audio-dialects.ts'
import { realtimePrice } from './openai-realtime.ts'
import { openAIImagePricing } from './image-pricing.ts'

// List prices in USD per 1M tokens from https://openai.com/api/pricing and
// https://api-docs.deepseek.com/quick_start/pricing. A key ending in `*` covers dated snapshots
// (`gpt-4o-2024-08-06`); the longest matching prefix wins. Admins override any of these.

const tokens = (inputPerMTok: number, outputPerMTok: number, cacheReadPerMTok?: number): ModelPrice =>
  cacheReadPerMTok === undefined ? { inputPerMTok, outputPerMTok } : { inputPerMTok, outputPerMTok, cacheReadPerMTok }

/** OpenAI and common OpenAI-compatible model prices. */
export const openAIPricing: Record<string, ModelPrice> = {
  'gpt-5*': tokens(1.25, 10, 0.125),
  'gpt-5-mini*': tokens(0.25, 2, 0.025),
  'gpt-5-nano*': tokens(0.05, 0.4, 0.005),
  'gpt-5-pro*': tokens(15, 120),
  'codex-mini-latest': tokens(1.5, 6, 0.375),
  'gpt-4.1*': tokens(2, 8, 0.5),
  'gpt-4.1-mini*': tokens(0.4, 1.6, 0.1),
  'gpt-4.1-nano*': tokens(0.1, 0.4, 0.025),
  'gpt-4o*': tokens(2.5, 10, 1.25),
  'gpt-4o-2024-05-13': tokens(5, 15),
  'gpt-4o-mini*': tokens(0.15, 0.6, 0.075),
  'chatgpt-4o-latest': tokens(5, 15),
  'o1*': tokens(15, 60, 7.5),
  'o1-mini*': tokens(1.1, 4.4, 0.55),
  'o1-pro*': tokens(150, 600),
  'o3*': tokens(2, 8, 0.5),
  'o3-mini*': tokens(1.1, 4.4, 0.55),
  'o3-pro*': tokens(20, 80),
  'o4-mini*': tokens(1.1, 4.4, 0.275),
  'gpt-4-turbo*': tokens(10, 30),
  'gpt-4*': tokens(30, 60),
  'gpt-4-32k*': tokens(60, 120),
  'gpt-3.5-turbo*': tokens(0.5, 1.5),
  'gpt-3.5-turbo-instruct*': tokens(1.5, 2),
  'davinci-002': tokens(2, 2),
  'babbage-002': tokens(0.4, 0.4),
  ...openAIImagePricing,
  // Realtime: text and audio each at their own per-1M price, cached input cheaper (audio billed through perUnit, see openai-realtime.ts).
  'gpt-realtime*': realtimePrice({ input: 4, cached: 0.4, output: 16 }, { input: 32, cached: 0.4, output: 64 }),
  'gpt-realtime-mini*': realtimePrice({ input: 0.6, cached: 0.06, output: 2.4 }, { input: 10, cached: 0.3, output: 20 }),
  'gpt-4o-realtime-preview*': realtimePrice({ input: 5, cached: 2.5, output: 20 }, { input: 40, cached: 2.5, output: 80 }),
  'gpt-4o-mini-realtime-preview*': realtimePrice({ input: 0.6, cached: 0.3, output: 2.4 }, { input: 10, cached: 0.3, output: 20 }),
  ...openAIAudioPricing,
  'text-embedding-3-small': { inputPerMTok: 0.02 },
  'text-embedding-3-large': { inputPerMTok: 0.13 },
  'text-embedding-ada-002': { inputPerMTok: 0.1 },
  'deepseek-chat': tokens(0.28, 0.42, 0.028),
  'deepseek-reasoner': tokens(0.28, 0.42, 0.028),
}
