import { sql, type SQL } from 'drizzle-orm'
import type { AppContext } from '../../app-context.ts'
import { queryRows } from '../../db/client.ts'

/** What a usage series can be split by, and the rollup column each reads. */
export const STATS_GROUP_COLUMNS: Record<string, SQL> = {
  none: sql.raw(`''`),
  model: sql.raw('model'),
  user: sql.raw('user_id::text'),
  channel: sql.raw('channel_id::text'),
  token: sql.raw('token_id::text'),
}

/** One request for a usage series: a time range, the bucket size, the split, and whose usage (all when undefined). */
export interface StatsRequest {
  /** Start of the range (ISO date-time); the bucket holding it is included whole. */
  from: string
  /** End of the range (ISO date-time), exclusive. */
  to: string
  /** Hourly or daily rollups. */
  bucket: 'hour' | 'day'
  /** A key of STATS_GROUP_COLUMNS; unknown keys split nothing. */
  groupBy: string
  /** Only this user's usage; undefined for everyone's. */
  userId: number | undefined
}

/** One bucket of one key of a usage series. */
export interface StatsPoint {
  /** The bucket's start (ISO). */
  time: string
  /** The value of the split column ('' without a split). */
  key: string
  /** Calls in the bucket. */
  requests: number
  /** Input tokens. */
  promptTokens: number
  /** Output tokens. */
  completionTokens: number
  /** Quota units charged. */
  quota: number
}

/** The start of the bucket holding `from`, so a range that begins mid-day still includes that day. */
function bucketStart(from: string, bucket: 'hour' | 'day'): string {
  const size = bucket === 'day' ? 86_400_000 : 3_600_000
  return new Date(Math.floor(new Date(from).getTime() / size) * size).toISOString()
}

/** Usage over time from the hourly or daily rollups (never the raw logs), so it stays fast on millions of calls. */
export function createStatsService(context: AppContext) {
  const db = context.database.db
  return {
    /** The series for `request`, ordered by bucket then key. */
    async series(request: StatsRequest): Promise<StatsPoint[]> {
      const { bucket, userId } = request
      const group = STATS_GROUP_COLUMNS[request.groupBy] ?? sql.raw(`''`)
      const result = await db.execute(sql`
        select ${sql.raw(bucket === 'day' ? 'day' : 'hour')} as time, ${group} as key, sum(requests)::bigint as requests, sum(prompt_tokens)::bigint as prompt_tokens,
          sum(completion_tokens)::bigint as completion_tokens, sum(quota)::bigint as quota
        from ${sql.raw(bucket === 'day' ? 'quota_stats_daily' : 'quota_stats')}
        where ${sql.raw(bucket === 'day' ? 'day' : 'hour')} >= ${bucketStart(request.from, bucket)}::timestamptz and ${sql.raw(bucket === 'day' ? 'day' : 'hour')} < ${new Date(request.to).toISOString()}::timestamptz ${userId === undefined ? sql`` : sql`and user_id = ${userId}`}
        group by 1, 2 order by 1, 2`)
      return queryRows<{
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
    },
  }
}
