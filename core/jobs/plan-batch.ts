import type { AccountKey, JournalEntry } from '../billing/balance-store.ts'
import type { LogEntry } from './log-writer.ts'
import { DAY_MS, HOUR_MS, rollUpUsage, type QuotaStatRow } from './roll-up-usage.ts'

/** Balance change of one user in a batch. */
export interface UserChange {
  id: number
  charged: number
  requests: number
}

/** Balance change of one token in a batch; `debit` is 0 for unlimited tokens, which only count usage. */
export interface TokenChange {
  id: number
  debit: number
  charged: number
  lastUsedAt: string | null
}

/** Everything one group commit writes, computed without I/O. */
export interface BatchPlan {
  /** Every log row of the batch, each with its time. */
  logs: LogEntry[]
  users: UserChange[]
  tokens: TokenChange[]
  /** Units spent through each channel. */
  channels: Array<{ id: number; spent: number }>
  hourly: QuotaStatRow[]
  daily: QuotaStatRow[]
  /** Units each account's pending charges fall by once the batch is committed. */
  accounts: Map<AccountKey, number>
  /** Position of the batch's last journal entry, when it has any. */
  lastPosition?: string
}

const add = <K>(map: Map<K, number>, key: K, value: number) => map.set(key, (map.get(key) ?? 0) + value)

/** Sums a batch of plain log rows and journaled charges into the statements' inputs; rows get `now` when they have no time. */
export function planBatch(rows: LogEntry[], charges: JournalEntry[], now: Date): BatchPlan {
  const logs: LogEntry[] = []
  for (const row of rows) logs.push(row.createdAt ? row : { ...row, createdAt: now })
  const users = new Map<number, UserChange>()
  const tokens = new Map<number, TokenChange>()
  const accounts = new Map<AccountKey, number>()
  for (const charge of charges) {
    const log = charge.log.createdAt ? charge.log : { ...charge.log, createdAt: now }
    logs.push(log)
    const { userId, tokenId, unlimited } = charge.payer
    const user = users.get(userId) ?? { id: userId, charged: 0, requests: 0 }
    user.charged += charge.charged
    user.requests += 1
    users.set(userId, user)
    add(accounts, `u:${userId}`, charge.charged)
    if (tokenId !== null) {
      const token = tokens.get(tokenId) ?? { id: tokenId, debit: 0, charged: 0, lastUsedAt: null }
      token.charged += charge.charged
      if (!unlimited) {
        token.debit += charge.charged
        add(accounts, `t:${tokenId}`, charge.charged)
      }
      tokens.set(tokenId, token)
    }
  }
  // Any call with a key (failed ones too) is a use of that key.
  for (const log of logs) {
    if (log.tokenId === null || log.tokenId === undefined || (log.type !== 'consume' && log.type !== 'error')) continue
    const at = (log.createdAt as Date).toISOString()
    const token = tokens.get(log.tokenId) ?? { id: log.tokenId, debit: 0, charged: 0, lastUsedAt: null }
    if (token.lastUsedAt === null || token.lastUsedAt < at) token.lastUsedAt = at
    tokens.set(log.tokenId, token)
  }
  const spent = new Map<number, number>()
  for (const log of logs) if (log.type === 'consume' && log.channelId && log.quota) add(spent, log.channelId, log.quota)
  const byId = <T extends { id: number }>(values: Iterable<T>) => [...values].sort((a, b) => a.id - b.id)
  return {
    logs,
    users: byId(users.values()),
    tokens: byId(tokens.values()),
    channels: byId([...spent].map(([id, value]) => ({ id, spent: value }))),
    hourly: rollUpUsage(logs, now, HOUR_MS),
    daily: rollUpUsage(logs, now, DAY_MS),
    accounts,
    lastPosition: charges.length > 0 ? charges[charges.length - 1]!.position : undefined,
  }
}
