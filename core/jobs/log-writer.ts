import { sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { channels, logs, quotaStats, quotaStatsDaily } from '../db/schema.ts'
import { DAY_MS, HOUR_MS, rollUpUsage } from './roll-up-usage.ts'

/** A row for the logs table as the relay and admin API produce it. */
export type LogEntry = typeof logs.$inferInsert

/** Collects log rows and writes them in batches, off the request path. */
export interface LogWriter {
  /** Queues a row; never blocks the caller on I/O. */
  write(entry: LogEntry): void
  /** Writes everything queued so far (tests, shutdown). */
  flush(): Promise<void>
  /** Flushes and stops the timer. */
  close(): Promise<void>
}

/** Batches rows every `intervalMs` or when `batchSize` rows are waiting; also keeps hourly rollups and channel spend. */
export function createLogWriter(db: Db, options: { intervalMs?: number; batchSize?: number; onError?: (error: unknown) => void } = {}): LogWriter {
  const intervalMs = options.intervalMs ?? 500
  const batchSize = options.batchSize ?? 500
  let queue: LogEntry[] = []
  let flushing: Promise<void> = Promise.resolve()
  let closed = false

  /** Logs, hourly rollups and channel spend in one transaction, so a retried batch is never counted twice. */
  async function writeBatch(batch: LogEntry[]) {
    const now = new Date()
    const stamped = batch.map((entry) => ({ ...entry, createdAt: entry.createdAt ?? now }))
    await db.transaction(async (tx) => {
      for (let start = 0; start < stamped.length; start += batchSize) await tx.insert(logs).values(stamped.slice(start, start + batchSize))
      for (const [table, bucketMs] of [[quotaStats, HOUR_MS], [quotaStatsDaily, DAY_MS]] as const) {
        for (const row of rollUpUsage(stamped, now, bucketMs)) {
          await tx.insert(table).values(row).onConflictDoUpdate({
            target: [table.hour, table.userId, table.tokenId, table.channelId, table.model],
            set: {
              requests: sql`${table.requests} + ${row.requests}`,
              promptTokens: sql`${table.promptTokens} + ${row.promptTokens}`,
              completionTokens: sql`${table.completionTokens} + ${row.completionTokens}`,
              quota: sql`${table.quota} + ${row.quota}`,
            },
          })
        }
      }
      const spendByChannel = new Map<number, number>()
      for (const entry of stamped) {
        if (entry.type === 'consume' && entry.channelId && entry.quota) spendByChannel.set(entry.channelId, (spendByChannel.get(entry.channelId) ?? 0) + entry.quota)
      }
      for (const [channelId, spent] of spendByChannel) {
        await tx.update(channels).set({ usedQuota: sql`${channels.usedQuota} + ${spent}` }).where(sql`${channels.id} = ${channelId}`)
      }
    })
  }

  function flush(): Promise<void> {
    flushing = flushing.then(async () => {
      if (queue.length === 0) return
      const batch = queue
      queue = []
      try {
        await writeBatch(batch)
      } catch (error) {
        queue = batch.concat(queue)
        options.onError?.(error)
      }
    })
    return flushing
  }

  const timer = setInterval(() => void flush(), intervalMs)
  timer.unref?.()

  return {
    write(entry) {
      if (closed) return
      queue.push(entry)
      if (queue.length >= batchSize) void flush()
    },
    flush,
    async close() {
      clearInterval(timer)
      await flush()
      closed = true
    },
  }
}
