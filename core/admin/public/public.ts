import { Elysia, t } from 'elysia'
import { lookupPrice } from '../../billing/resolve-price.ts'
import { toPriceView } from '../models/model-catalog.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { setupRequired } from '../../identity/setup.ts'
import packageJson from '../../../package.json' with { type: 'json' }
import { SignInStatusFields } from '../../../schemas/admin/sign-in.ts'
import { signInStatus } from '../../identity/sign-in-settings-store.ts'

const tags = ['public']

const Price = t.Object({
  model: t.String(),
  inputPerMTok: t.Union([t.Number(), t.Null()]),
  outputPerMTok: t.Union([t.Number(), t.Null()]),
  cacheReadPerMTok: t.Union([t.Number(), t.Null()]),
  cacheWritePerMTok: t.Union([t.Number(), t.Null()]),
  cacheWrite1hPerMTok: t.Union([t.Number(), t.Null()], {
    description: 'USD per 1M tokens written into a 1-hour prompt cache (Anthropic ttl "1h"); null when unset (twice the input price then)',
  }),
  perCall: t.Union([t.Number(), t.Null()]),
  perUnit: t.Union([t.Record(t.String(), t.Number()), t.Null()], {
    description: 'USD per unit of a non-token quantity (e.g. searchUnits, images, seconds), charged on top; null when none',
  }),
  source: t.String({ description: 'override, ratio, plugin or self-use' }),
})

/** What anyone may read without signing in: the gateway's status and its price list. */
export function publicRoutes(deps: AdminDeps) {
  const { context } = deps
  return new Elysia()
    .use(apiBase(deps))
    .get(
      '/status',
      async () => ({
        version: packageJson.version,
        database: context.database.kind,
        sharedCache: context.config.redisUrl !== undefined,
        selfUseMode: context.options.get().selfUseMode,
        ...signInStatus(await deps.signIn.get()),
        siteName: context.options.get().general.siteName,
        announcement: context.options.get().general.announcement,
        setupRequired: await setupRequired(context),
      }),
      {
        ...access('public', { operationId: 'getStatus', tags, summary: "Version, storage and enabled features, for the dashboard's first paint" }),
        response: withErrors({
          200: t.Object({
            version: t.String(),
            database: t.String(),
            sharedCache: t.Boolean(),
            selfUseMode: t.Boolean(),
            ...SignInStatusFields,
            siteName: t.String({ description: "The installation's name (options: general.siteName)" }),
            announcement: t.String({ description: 'A notice for every signed-in user; empty for none (options: general.announcement)' }),
            setupRequired: t.Boolean({ description: 'True until first-run setup (POST /api/setup) replaced the printed root password' }),
          }),
        }),
      },
    )
    .get(
      '/pricing',
      async () => {
        const options = context.options.get()
        const models = (await deps.directory())
          .all()
          .filter((channel) => channel.status === 'enabled')
          .flatMap((channel) => channel.models)
        const items = [...new Set(models)].sort().flatMap((model) => {
          const found = lookupPrice(options, context.registry.listPrice, model)
          if (!found) return []
          return [{ model, ...toPriceView(found.price), source: found.source }]
        })
        return { items, groupRatios: options.groupRatios, unitsPerUsd: 500_000 }
      },
      {
        ...access('public', {
          operationId: 'getPricing',
          tags,
          summary: 'Prices (USD per 1M tokens, per call or per unit) of every model an enabled channel serves, and the group ratios',
        }),
        response: withErrors({ 200: t.Object({ items: t.Array(Price), groupRatios: t.Record(t.String(), t.Number()), unitsPerUsd: t.Integer() }) }),
      },
    )
}
