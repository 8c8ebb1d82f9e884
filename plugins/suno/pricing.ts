import type { TaskPrice } from '@hanggent/plugin-sdk'

// Per-call prices in USD, as New API's defaults (setting/ratio_setting/model_ratio.go: suno_music 0.1,
// suno_lyrics 0.01); a Suno music call makes two clips. Admins override them like model prices.

/** Prices keyed by the priced name a submission carries. */
export const sunoPrices: Record<string, TaskPrice> = {
  suno_music: { perCall: 0.1 },
  suno_lyrics: { perCall: 0.01 },
}
