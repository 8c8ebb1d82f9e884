import type { ConversionEnv } from '../contract.ts'

/** Whole seconds of the injected clock: the `created` of answers that carry no timestamp of their own. */
export function nowSeconds(env: Pick<ConversionEnv, 'now'>): number {
  return Math.floor(env.now() / 1000)
}
