import type { TaskPrice } from '@hanggent/plugin-sdk'

// New API's default Midjourney prices (USD per call, setting/ratio_setting/model_ratio.go), keyed by
// `mj_<action>`; the mode prefixes change them: turbo costs twice the fast price, relax half of it.

/** A fast-mode price with its turbo and relax variants. */
function byMode(fast: number): TaskPrice {
  return { perCall: fast, byMode: { fast: { perCall: fast }, turbo: { perCall: fast * 2 }, relax: { perCall: fast / 2 } } }
}

/** List prices of Midjourney actions. */
export const midjourneyPrices: Record<string, TaskPrice> = {
  mj_imagine: byMode(0.1),
  mj_variation: byMode(0.1),
  mj_reroll: byMode(0.1),
  mj_blend: byMode(0.1),
  mj_modal: byMode(0.1),
  mj_zoom: byMode(0.1),
  mj_shorten: byMode(0.1),
  mj_high_variation: byMode(0.1),
  mj_low_variation: byMode(0.1),
  mj_pan: byMode(0.1),
  mj_describe: byMode(0.05),
  mj_upscale: byMode(0.05),
  mj_upload: byMode(0.05),
  // Inpaint and custom zoom only open a modal; the modal that follows is what is charged.
  mj_inpaint: { perCall: 0 },
  mj_custom_zoom: { perCall: 0 },
}
