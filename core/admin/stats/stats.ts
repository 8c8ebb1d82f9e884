import { Elysia, t } from 'elysia'
import { roleAtLeast } from '../../http/actor.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'
import { createStatsService, STATS_GROUP_COLUMNS } from './stats-service.ts'

const tags = ['stats']

const StatsQuery = t.Object(
  {
    from: t.String({ format: 'date-time' }),
    to: t.String({ format: 'date-time' }),
    bucket: t.Optional(t.Union([t.Literal('hour'), t.Literal('day')], { description: 'default hour' })),
    groupBy: t.Optional(
      t.Union(
        Object.keys(STATS_GROUP_COLUMNS).map((key) => t.Literal(key)),
        { description: 'default none' },
      ),
    ),
    userId: t.Optional(t.Numeric({ minimum: 1, description: 'Admins only; users always see their own' })),
  },
  { additionalProperties: false },
)

const Point = t.Object({
  time: t.String(),
  key: t.String(),
  requests: t.Integer(),
  promptTokens: t.Integer(),
  completionTokens: t.Integer(),
  quota: t.Integer(),
})

/** GET /stats: usage over time (see stats-service.ts); users see their own, admins anyone's or everyone's. */
export function statsRoutes(deps: AdminDeps) {
  const service = createStatsService(deps.context)
  return new Elysia().use(apiBase(deps)).get(
    '/stats',
    async ({ actor: me, query }) => {
      const userId = roleAtLeast(me.role, 'admin') ? query.userId : me.id
      const items = await service.series({ from: query.from, to: query.to, bucket: query.bucket ?? 'hour', groupBy: query.groupBy ?? 'none', userId })
      return { items }
    },
    {
      ...access('user', {
        operationId: 'getStats',
        tags,
        summary: 'Requests, tokens and cost per hour or day, optionally by model, user, channel or token (users see their own)',
      }),
      query: StatsQuery,
      response: withErrors({ 200: t.Object({ items: t.Array(Point) }) }),
    },
  )
}
