import type { logs, quotaStats } from '../db/schema.ts'

/** One hourly rollup row. */
export type QuotaStatRow = typeof quotaStats.$inferInsert & { requests: number; promptTokens: number; completionTokens: number; quota: number }

/** Bucket sizes the rollups keep (UTC hours and days). */
export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

/** Sums usage rows into buckets of `bucketMs` per user, token, channel and model; other log types are skipped. */
export function rollUpUsage(entries: Array<typeof logs.$inferInsert>, now: Date, bucketMs: number = HOUR_MS): QuotaStatRow[] {
  const buckets = new Map<string, QuotaStatRow>()
  for (const entry of entries) {
    if (entry.type !== 'consume' || !entry.userId) continue
    const at = entry.createdAt instanceof Date ? entry.createdAt : now
    const hour = new Date(Math.floor(at.getTime() / bucketMs) * bucketMs)
    const key = [hour.getTime(), entry.userId, entry.tokenId ?? 0, entry.channelId ?? 0, entry.model ?? ''].join('\u0000')
    const row = buckets.get(key) ?? {
      hour,
      userId: entry.userId,
      tokenId: entry.tokenId ?? 0,
      channelId: entry.channelId ?? 0,
      model: entry.model ?? '',
      requests: 0,
      promptTokens: 0,
      completionTokens: 0,
      quota: 0,
    }
    row.requests += 1
    row.promptTokens += entry.promptTokens ?? 0
    row.completionTokens += entry.completionTokens ?? 0
    row.quota += entry.quota ?? 0
    buckets.set(key, row)
  }
  return [...buckets.values()]
}
