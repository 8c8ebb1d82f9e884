import type { ModelPrice } from '@hanggent/plugin-sdk'

// List prices in USD per 1M tokens from https://ai.google.dev/gemini-api/docs/pricing (paid tier,
// standard processing). Pro models cost more above 200k prompt tokens; the ≤200k price is listed since
// pricing is per token, not per prompt size. Output prices include thinking tokens. Cache reads are
// Google's context-caching price, which also applies to implicit cache hits; Google lowered it to 10%
// of the input price in late 2025 (2.5 Pro 0.125, 2.5 Flash 0.03, 2.5 Flash-Lite 0.01), 2.0 Flash
// kept 0.025. Audio input costs more than text on Flash models; usage does not say which modality a
// token was, so text prices apply. A key ending in `*` covers versioned ids
// (`gemini-2.5-flash-preview-05-20`); the longest matching prefix wins. Admins override any of these.

const tokens = (inputPerMTok: number, outputPerMTok: number, cacheReadPerMTok?: number): ModelPrice =>
  cacheReadPerMTok === undefined ? { inputPerMTok, outputPerMTok } : { inputPerMTok, outputPerMTok, cacheReadPerMTok }

/** Gemini model prices. */
export const geminiPricing: Record<string, ModelPrice> = {
  'gemini-3-pro-preview*': tokens(2, 12, 0.2),
  'gemini-2.5-pro*': tokens(1.25, 10, 0.125),
  'gemini-2.5-flash*': tokens(0.3, 2.5, 0.03),
  'gemini-2.5-flash-lite*': tokens(0.1, 0.4, 0.01),
  // Image output tokens are 30 USD per 1M (1290 tokens per image); speech output of the TTS models
  // is priced per audio token. Listed apart so the broader `gemini-2.5-*` prefixes never under-bill them.
  'gemini-2.5-flash-image*': tokens(0.3, 30),
  'gemini-2.5-flash-preview-tts*': tokens(0.5, 10),
  'gemini-2.5-pro-preview-tts*': tokens(1, 20),
  'gemini-flash-latest': tokens(0.3, 2.5, 0.03),
  'gemini-flash-lite-latest': tokens(0.1, 0.4, 0.01),
  'gemini-2.0-flash*': tokens(0.1, 0.4, 0.025),
  'gemini-2.0-flash-lite*': tokens(0.075, 0.3),
  'gemini-embedding-001': { inputPerMTok: 0.15 },
  // Google lists no paid price for the older embedding model; it is billed like its successor.
  'text-embedding-004': { inputPerMTok: 0.15 },
}
