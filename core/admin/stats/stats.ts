import { Elysia, t } from 'elysia'
import { sql, type SQL } from 'drizzle-orm'
import { queryRows } from '../../db/client.ts'
import { roleAtLeast } from '../../http/actor.ts'
import { access, apiBase, withErrors } from '../../http/api-base.ts'
import type { AdminDeps } from '../deps.ts'

const tags = ['stats']

const groupColumns: Record<string, SQL> = {
  none: sql.raw(`''`),
  model: sql.raw('model'),
  user: sql.raw('user_id::text'),
  channel: sql.raw('channel_id::text'),
  token: sql.raw('token_id::text'),
}

const StatsQuery = t.Object(
  {
    from: t.String({ format: 'date-time' }),
    to: t.String({ format: 'date-time' }),
    bucket: t.Optional(t.Union([t.Literal('hour'), t.Literal('day')], { description: 'default hour' })),
    groupBy: t.Optional(
      t.Union(
        Object.keys(groupColumns).map((key) => t.Literal(key)),
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

/** The start of the bucket holding `from`, so a range that begins mid-day still includes that day. */
function bucketStart(from: string, bucket: 'hour' | 'day'): string {
  const size = bucket === 'day' ? 86_400_000 : 3_600_000
  return new Date(Math.floor(new Date(from).getTime() / size) * size).toISOString()
}

/** Usage over time from the hourly or daily rollups (never the raw logs), so it stays fast on millions of calls. */
export function statsRoutes(deps: AdminDeps) {
  const db = deps.context.database.db
  return new Elysia().use(apiBase(deps)).get(
    '/stats',
    async ({ actor: me, query }) => {
      const userId = roleAtLeast(me.role, 'admin') ? query.userId : me.id
      const bucket = query.bucket ?? 'hour'
      const group = groupColumns[query.groupBy ?? 'none'] ?? sql.raw(`''`)
      const result = await db.execute(sql`
        select ${sql.raw(bucket === 'day' ? 'day' : 'hour')} as time, ${group} as key, sum(requests)::bigint as requests, sum(prompt_tokens)::bigint as prompt_tokens,
          sum(completion_tokens)::bigint as completion_tokens, sum(quota)::bigint as quota
        from ${sql.raw(bucket === 'day' ? 'quota_stats_daily' : 'quota_stats')}
        where ${sql.raw(bucket === 'day' ? 'day' : 'hour')} >= ${bucketStart(query.from, bucket)}::timestamptz and ${sql.raw(bucket === 'day' ? 'day' : 'hour')} < ${new Date(query.to).toISOString()}::timestamptz ${userId === undefined ? sql`` : sql`and user_id = ${userId}`}
        group by 1, 2 order by 1, 2`)
      const items = queryRows<{
        time: Date | string
        key: string
        requests: string | number
        prompt_tokens: string | number
        completion_tokens: string | number
        quota: string | number
      }>(result).map((row) => ({
        time: new Date(row.time).toISOString(),
        key: String(row.key),
        requests: Number(row.requests),
        promptTokens: Number(row.prompt_tokens),
        completionTokens: Number(row.completion_tokens),
        quota: Number(row.quota),
      }))
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
