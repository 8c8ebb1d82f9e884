import type { AppContext } from '../../app-context.ts'
import { lookupPrice } from '../../billing/resolve-price.ts'
import { GatewayError } from '../../errors.ts'
import type { ModelPrice } from '@hanggent/plugin-sdk'
import type { SystemOptionValues } from '../../options.ts'
import type { RuntimeChannel } from '../../routing/channel-directory.ts'
import type { ModelPricePut, ModelView } from '../../../schemas/admin/models.ts'
import type { Actor } from '../../http/actor.ts'
import { editOptions, withoutKey } from '../options/option-edits.ts'

/** A price's per-unit entries with a number (USD per unit by quantity name), or null when it has none. */
function perUnitView(perUnit: ModelPrice['perUnit']): Record<string, number> | null {
  const entries = Object.entries(perUnit ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number')
  return entries.length === 0 ? null : Object.fromEntries(entries)
}

/** A price with every field present (null when unset), as the admin API and the public pricing page show prices. */
export function toPriceView(price: ModelPrice): NonNullable<ModelView['price']>
/** No price (null), or the price with every field present. */
export function toPriceView(price: ModelPrice | undefined): ModelView['price']
export function toPriceView(price: ModelPrice | undefined): ModelView['price'] {
  if (!price) return null
  return {
    inputPerMTok: price.inputPerMTok ?? null,
    outputPerMTok: price.outputPerMTok ?? null,
    cacheReadPerMTok: price.cacheReadPerMTok ?? null,
    cacheWritePerMTok: price.cacheWritePerMTok ?? null,
    cacheWrite1hPerMTok: price.cacheWrite1hPerMTok ?? null,
    perCall: price.perCall ?? null,
    perUnit: perUnitView(price.perUnit),
  }
}

/** Every model name worth pricing: served by a channel, known or priced (exactly) by a plugin, or named by an override. */
export function catalogNames(context: AppContext, options: SystemOptionValues, channels: RuntimeChannel[]): string[] {
  const names = new Set<string>([...Object.keys(options.modelPrices), ...Object.keys(options.modelRatios)])
  for (const channel of channels) for (const model of channel.models) names.add(model)
  for (const plugin of context.registry.plugins) {
    for (const model of plugin.models) names.add(model.id)
    // `prefix*` entries price families, not models; the family's models appear through the lines above.
    for (const model of Object.keys(plugin.pricing)) if (!model.endsWith('*')) names.add(model)
    for (const platform of plugin.tasks ?? []) for (const name of Object.keys(platform.prices)) if (!name.endsWith('*')) names.add(name)
  }
  return [...names].sort()
}

/** One model's prices and channels. */
export function toModelView(context: AppContext, options: SystemOptionValues, channels: RuntimeChannel[], model: string): ModelView {
  const effective = lookupPrice(options, context.registry.listPrice, model)
  return {
    model,
    listPrice: toPriceView(context.registry.listPrice(model)),
    priceOverride: toPriceView(options.modelPrices[model]),
    ratioOverride: options.modelRatios[model] ?? null,
    price: toPriceView(effective?.price),
    source: effective?.source ?? null,
    channelIds: channels
      .filter((channel) => channel.models.includes(model))
      .map((channel) => channel.id)
      .sort((a, b) => a - b),
  }
}

/** Model prices: plugin list prices with the admin's overrides (USD or ratio form) in the option store. */
export function createModelCatalog(context: AppContext, channels: () => Promise<RuntimeChannel[]>) {
  function audit(actor: Actor, model: string, content: string, details: Record<string, unknown>): void {
    context.logWriter.write({ type: 'manage', userId: actor.id, username: actor.username, model, content, details: { model, ...details } })
  }

  return {
    /** Every known model, by name; `q` keeps names containing it (case-insensitive). */
    async list(q: string | undefined): Promise<ModelView[]> {
      const options = context.options.get()
      const all = await channels()
      const needle = q?.toLowerCase()
      return catalogNames(context, options, all)
        .filter((model) => !needle || model.toLowerCase().includes(needle))
        .map((model) => toModelView(context, options, all, model))
    },

    /** Sets a model's override in one form, dropping any override in the other so exactly what was sent applies. */
    async setPrice(actor: Actor, body: ModelPricePut): Promise<ModelView> {
      if ((body.price === undefined) === (body.ratios === undefined)) {
        throw new GatewayError(400, 'invalid_request', 'price: give either price (USD) or ratios, exactly one of the two', { param: 'price' })
      }
      const { model, price, ratios } = body
      const options = await editOptions(context.options, (current) =>
        price
          ? { modelPrices: { ...current.modelPrices, [model]: price }, modelRatios: withoutKey(current.modelRatios, model) }
          : { modelRatios: { ...current.modelRatios, [model]: ratios! }, modelPrices: withoutKey(current.modelPrices, model) },
      )
      audit(actor, model, `price of "${model}" overridden (${price ? 'USD' : 'ratios'})`, { price: price ?? null, ratios: ratios ?? null })
      return toModelView(context, options, await channels(), model)
    },

    /** Removes a model's overrides, so the plugin's list price applies again; 404 when there is none. */
    async clearPrice(actor: Actor, model: string): Promise<ModelView> {
      const before = context.options.get()
      if (!before.modelPrices[model] && !before.modelRatios[model])
        throw new GatewayError(404, 'not_found', `model: "${model}" has no price override`, { param: 'model' })
      const options = await editOptions(context.options, (current) => ({
        modelPrices: withoutKey(current.modelPrices, model),
        modelRatios: withoutKey(current.modelRatios, model),
      }))
      audit(actor, model, `price override of "${model}" removed`, {})
      return toModelView(context, options, await channels(), model)
    },
  }
}
