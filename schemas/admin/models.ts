import { t, type Static } from 'elysia'
import { Type } from '@sinclair/typebox'
import { PriceOverride, RatioOverride } from '../../core/options.ts'
import { ModelName } from './common.ts'

const Usd = t.Union([t.Number(), t.Null()])

/** A price in USD per 1M tokens (or per call, or per unit of a non-token quantity); null where the price says nothing. */
export const PriceView = t.Object({
  inputPerMTok: Usd,
  outputPerMTok: Usd,
  cacheReadPerMTok: Usd,
  cacheWritePerMTok: Usd,
  cacheWrite1hPerMTok: Usd,
  perCall: Usd,
  perUnit: t.Union([t.Record(t.String(), t.Number()), t.Null()], {
    description: 'USD per unit by quantity name (e.g. searchUnits), charged on top; null when none',
  }),
})

/** A model as the price editor shows it: list price, the admin's override, what is charged and who serves it. */
export const ModelView = t.Object({
  model: t.String(),
  listPrice: t.Union([PriceView, t.Null()], { description: "The plugin's list price (exact or prefix entry)" }),
  priceOverride: t.Union([PriceView, t.Null()], { description: 'The admin override in USD (modelPrices)' }),
  ratioOverride: t.Union([RatioOverride, t.Null()], { description: 'The admin override in ratio form (modelRatios)' }),
  price: t.Union([PriceView, t.Null()], { description: 'What a call is charged (before the group ratio); null when the model has no price' }),
  source: t.Union([t.Literal('override'), t.Literal('ratio'), t.Literal('plugin'), t.Literal('self-use'), t.Null()], {
    description: 'Where `price` comes from',
  }),
  channelIds: t.Array(t.Integer(), { description: 'Channels listing the model, whatever their status' }),
})

/** GET /api/models query. */
export const ModelListQuery = t.Object({ q: t.Optional(t.String({ maxLength: 200, description: 'Part of the model name' })) })

/** PUT /api/models/price body: a USD price or ratios for one model (model names hold `/`, `:` and `.`, so they travel in the body). */
export const ModelPricePut = t.Object(
  {
    model: ModelName,
    price: t.Optional(
      Type.Object(PriceOverride.properties, {
        additionalProperties: false,
        minProperties: 1,
        description: 'USD per 1M tokens, perCall, or perUnit by quantity name',
      }),
    ),
    ratios: t.Optional(RatioOverride),
  },
  { additionalProperties: false },
)

/** DELETE /api/models/price query. */
export const ModelPriceQuery = t.Object({ model: ModelName })

/** Typed model view. */
export type ModelView = Static<typeof ModelView>
/** Typed PUT body. */
export type ModelPricePut = Static<typeof ModelPricePut>
