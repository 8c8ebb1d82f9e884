import { Elysia, t } from 'elysia'
import { ModelListQuery, ModelPricePut, ModelPriceQuery, ModelView } from '../../../schemas/admin/models.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { createModelCatalog } from './model-catalog.ts'

const tags = ['models']

/** Models and their prices (admin+): list prices, overrides in USD or ratio form, and who serves each model. */
export function modelRoutes(deps: AdminDeps) {
  const catalog = createModelCatalog(deps.context, async () => (await deps.directory()).all())
  return new Elysia()
    .use(apiBase(deps))
    .get('/models', async ({ query }) => ({ items: await catalog.list(query.q) }), {
      ...access('admin', {
        operationId: 'listModels',
        tags,
        summary: 'Every model a channel serves, a plugin prices or an override names: list price, override, effective price and its source, channels',
      }),
      query: ModelListQuery,
      response: withErrors({ 200: t.Object({ items: t.Array(ModelView) }) }),
    })
    .put('/models/price', ({ actor, body }) => catalog.setPrice(actor, body), {
      ...access('admin', { operationId: 'setModelPrice', tags, summary: "Override a model's price, in USD (price) or New API ratios (ratios)" }, ModelPricePut),
      response: withErrors({ 200: ModelView }),
    })
    .delete('/models/price', ({ actor, query }) => catalog.clearPrice(actor, query.model), {
      ...access('admin', { operationId: 'clearModelPrice', tags, summary: "Remove a model's price override; the plugin's list price applies again" }),
      query: ModelPriceQuery,
      response: withErrors({ 200: ModelView }),
    })
}
